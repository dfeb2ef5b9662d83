package dev.attest.cli;

import dev.attest.evidence.ClaimsText;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyRequest;
import dev.attest.evidence.VerificationKey;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest inspect}: decode a token and print its claims. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = {
        "Decodes a token (binary CBOR, hex or base64, from a file or stdin) and prints its claims "
                + "on stdout as JSON (EAT JSON names) or CBOR diagnostic notation. The signature status goes "
                + "to stderr: checked with --key, else 'not checked' (the claims are then unauthenticated).",
        "Exit 0, 2 if the signature does not verify with --key, 3 for an unusable token or key."})
final class InspectCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Attest root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOKEN", defaultValue = "-",
            description = "Token file, or - for stdin (default).")
    String token;

    @Option(names = "--json", description = "Print JSON (the default).")
    boolean json;

    @Option(names = "--diag", description = "Print CBOR diagnostic notation of the claims set.")
    boolean diag;

    @Option(names = "--key", paramLabel = "FILE", description = "Public key (PEM or COSE_Key) to check the signature with.")
    Path key;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (json && diag) {
            throw new InputException("--json and --diag exclude each other");
        }
        if (token.equals("-") && root.in == System.in && System.console() != null) {
            throw new InputException("no TOKEN given and stdin is a terminal (give a file, or pipe the token in)");
        }
        Optional<VerificationKey> vk = key == null ? Optional.empty() : Optional.of(KeyFiles.publicKey(key, Optional.empty()));
        byte[] bytes = TokenInput.read(token, root.in);
        String name = TokenInput.name(token);
        AtomicReference<KeyRequest> seen = new AtomicReference<>();
        EvidenceDecoder decoder = EvidenceDecoder.builder(r -> {
            seen.set(r);
            return vk;
        }).maxBytes(TokenInput.MAX_TOKEN_BYTES).build();
        EatClaims claims;
        String status;
        try {
            if (vk.isPresent()) {
                claims = decoder.decode(bytes).claims();
                status = "signature: valid (" + header(seen.get()) + ")";
            } else {
                // decode() reaches the key lookup only for a well-formed token: that tells us the
                // header; then the claims are decoded without a key.
                try {
                    decoder.decode(bytes);
                } catch (EvidenceException e) {
                    if (e.reason() != EvidenceException.Reason.KEY_NOT_FOUND) {
                        throw e;
                    }
                }
                claims = decoder.decodeUnverified(bytes);
                status = "signature: not checked (" + header(seen.get()) + "; give --key to check it)";
            }
        } catch (EvidenceException e) {
            if (vk.isPresent() && (e.reason() == EvidenceException.Reason.BAD_SIGNATURE
                    || e.reason() == EvidenceException.Reason.KEY_ALGORITHM_MISMATCH)) {
                spec.commandLine().getErr().println("signature: INVALID (" + e.reason() + ")");
                return Attest.EXIT_REJECTED;
            }
            throw new InputException(name + ": " + e.getMessage(), e);
        }
        spec.commandLine().getOut().print(diag ? ClaimsText.diagnostic(claims) + "\n" : ClaimsText.json(claims));
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().println(status);
        return 0;
    }

    private static String header(KeyRequest r) {
        return r.algorithm() + ", kid=" + r.keyId().map(Object::toString).orElse("(none)");
    }
}
