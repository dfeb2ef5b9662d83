package dev.attest.cli;

import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimEncoder;
import dev.attest.verify.corim.CorimEndorsements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest refs}: reference values. */
@Command(name = "refs", mixinStandardHelpOptions = true, description = "Reference values.", subcommands = RefsCommand.Capture.class)
final class RefsCommand {
    @ParentCommand
    Attest root;

    /** {@code attest refs capture}: reference values from a known-good device's evidence. */
    @Command(name = "capture", mixinStandardHelpOptions = true, description = {
            "Verifies the token's signature with --key, then writes reference values allowing "
                    + "exactly the digests it reports (process, memory and timing components not required).",
            "Exit 0, 2 if the signature does not verify, 3 for unusable input."})
    static final class Capture implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @ParentCommand
        RefsCommand refs;

        @Parameters(index = "0", paramLabel = "TOKEN", description = "Token file, or - for stdin.")
        String token;

        @Option(names = "--key", paramLabel = "FILE", required = true, description = "The device's public key (PEM or COSE_Key).")
        Path key;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the reference values here instead of stdout.")
        Path out;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", description =
                "json (the SDK's reference values, default) or corim (a CoMID in an unsigned CoRIM, "
                        + "CBOR, needs --out; signed with --sign-key).")
        Format format;

        @Option(names = "--sign-key", paramLabel = "FILE", description = "With --format corim: sign the CoRIM with this private key (PEM).")
        Path signKey;

        @Option(names = "--signer-name", paramLabel = "NAME", defaultValue = "attest", description = "With --sign-key: the signer name in the CoRIM meta.")
        String signerName;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            VerificationKey vk = KeyFiles.publicKey(key, Optional.empty());
            byte[] bytes = TokenInput.read(token, refs.root.in);
            EatClaims claims;
            try {
                claims = EvidenceDecoder.builder(KeyResolver.single(vk)).maxBytes(TokenInput.MAX_TOKEN_BYTES).build()
                        .decode(bytes).claims();
            } catch (EvidenceException e) {
                boolean rejected = e.reason() == EvidenceException.Reason.BAD_SIGNATURE
                        || e.reason() == EvidenceException.Reason.KEY_ALGORITHM_MISMATCH;
                throw new InputException(TokenInput.name(token) + ": " + e.getMessage(),
                        rejected ? Attest.EXIT_REJECTED : Attest.EXIT_FAILURE, e);
            }
            ReferenceValues captured = ReferenceValues.capture(claims);
            if (format == Format.CORIM) {
                writeCorim(captured);
                return 0;
            }
            String json = captured.toJson();
            if (out == null) {
                spec.commandLine().getOut().print(json.endsWith("\n") ? json : json + "\n");
                spec.commandLine().getOut().flush();
            } else {
                try {
                    Files.writeString(out, json, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new InputException(out + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
                }
                spec.commandLine().getOut().println("wrote " + out + ": " + captured.components().size() + " components");
            }
            return 0;
        }

        private void writeCorim(ReferenceValues captured) throws InputException {
            if (out == null) {
                throw new InputException("--format corim writes CBOR: give --out FILE");
            }
            if (captured.isEmpty()) {
                throw new InputException(TokenInput.name(token) + ": no measurement with digests to capture");
            }
            Corim corim = CorimEndorsements.toCorim(captured);
            byte[] bytes;
            try {
                bytes = signKey == null ? CorimEncoder.encode(corim)
                        : CorimEncoder.sign(corim, KeyFiles.signingKey(signKey, Optional.empty()), signerName,
                                Optional.empty(), Optional.empty());
            } catch (java.security.GeneralSecurityException e) {
                throw new InputException(signKey + ": cannot sign (" + e.getClass().getSimpleName() + ")", e);
            }
            try {
                Files.write(out, bytes);
            } catch (IOException e) {
                throw new InputException(out + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
            }
            spec.commandLine().getOut().println("wrote " + out + ": " + captured.components().size() + " components"
                    + (signKey == null ? ", unsigned CoRIM" : ", signed CoRIM"));
        }
    }

    /** Output formats of {@code refs capture}. */
    enum Format {
        /** The SDK's reference-values JSON. */
        JSON,
        /** A CoRIM (CBOR). */
        CORIM
    }
}
