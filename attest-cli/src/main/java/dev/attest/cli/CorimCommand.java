package dev.attest.cli;

import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.corim.CorimException;
import dev.attest.verify.corim.CorimJson;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest corim}: CoRIMs (draft-ietf-rats-corim). */
@Command(name = "corim", mixinStandardHelpOptions = true, description = "CoRIMs: reference values and keys.",
        subcommands = CorimCommand.Inspect.class)
final class CorimCommand {
    /** Largest CoRIM file read. */
    static final int MAX_CORIM_BYTES = CorimDecoder.DEFAULT_MAX_BYTES;

    /** The decoder for a CoRIM file: its signer's key if given, and unsigned CoRIMs allowed. */
    static CorimDecoder decoder(Optional<Path> signer, Optional<String> at) throws InputException {
        CorimDecoder.Builder b = CorimDecoder.builder().allowUnsigned();
        if (signer.isPresent()) {
            b.signer(KeyFiles.publicKey(signer.get(), Optional.empty()));
        }
        if (at.isPresent()) {
            try {
                b.clock(Clock.fixed(Instant.parse(at.get()), ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                throw new InputException("--at: not an ISO 8601 instant like 2026-01-01T00:00:00Z", e);
            }
        }
        return b.build();
    }

    /** Reads and decodes the CoRIM {@code file}; a bad signature or validity exits 2, anything else 3. */
    static Corim read(Path file, CorimDecoder decoder) throws InputException {
        try {
            return decoder.decode(InputFiles.bytes(file, MAX_CORIM_BYTES));
        } catch (CorimException e) {
            boolean rejected = e.reason() == CorimException.Reason.BAD_SIGNATURE
                    || e.reason() == CorimException.Reason.EXPIRED || e.reason() == CorimException.Reason.NOT_YET_VALID
                    || e.reason() == CorimException.Reason.ALG_NOT_ALLOWED;
            throw new InputException(file + ": " + e.getMessage(), rejected ? Attest.EXIT_REJECTED : Attest.EXIT_FAILURE, e);
        }
    }

    /** {@code attest corim inspect}: a CoRIM as JSON. */
    @Command(name = "inspect", mixinStandardHelpOptions = true, description = {
            "Decodes a CoRIM (unsigned, tag 501, or signed, COSE_Sign1) strictly and prints it as JSON.",
            "A signed CoRIM needs --signer, whose key must verify it, within its validity.",
            "Exit 0, 2 if the signature does not verify or the CoRIM is not valid now, 3 for unusable input."})
    static final class Inspect implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The CoRIM file (CBOR).")
        Path file;

        @Option(names = "--signer", paramLabel = "FILE", description = "The CoRIM signer's public key (PEM or COSE_Key).")
        Path signer;

        @Option(names = "--at", paramLabel = "INSTANT", description = "Check validity at this time (ISO 8601) instead of now.")
        String at;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            Corim c = read(file, decoder(Optional.ofNullable(signer), Optional.ofNullable(at)));
            spec.commandLine().getOut().print(CorimJson.of(c));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
