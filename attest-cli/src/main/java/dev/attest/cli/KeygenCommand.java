package dev.attest.cli;

import dev.attest.evidence.CoseKey;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest keygen}: a device signing key as PEM and COSE_Key files. */
@Command(name = "keygen", mixinStandardHelpOptions = true, description = {
        "Generates a device signing key in DIR:",
        "  device.key.pem   PKCS#8 private key followed by its public key (mode 0600)",
        "  device.pub.pem   public key (SubjectPublicKeyInfo), for --trust and --key",
        "  (each PEM file names the kid on an 'attest-kid-hex:' line, before its block)",
        "  device.cose-key  public COSE_Key with kid and alg (RFC 9052 section 7)",
        "Prints the kid and the SHA-256 fingerprint of the public key. Without --kid the kid is the "
                + "first 16 hex digits of that fingerprint, which is also what a PEM key without that line gets."})
final class KeygenCommand implements Callable<Integer> {
    static final String PRIVATE = "device.key.pem";
    static final String PUBLIC = "device.pub.pem";
    static final String COSE_KEY = "device.cose-key";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--alg", paramLabel = "ALG", description = "ES256 (default), ES384, ES512, EDDSA or PS256 (RSA 3072).")
    SignatureAlgorithm alg = SignatureAlgorithm.ES256;

    @Option(names = "--kid", paramLabel = "KID", description = "Key id (1..64 bytes of UTF-8).")
    String kid;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for the key files (created if missing).")
    Path out;

    @Option(names = "--pkcs12", paramLabel = "FILE", description = "Also write the key as PKCS#12 (mode 0600), with a self-signed certificate; needs --password-file.")
    Path pkcs12;

    @Option(names = "--password-file", paramLabel = "FILE", description = "The PKCS#12 password: this file's first line.")
    Path passwordFile;

    @Option(names = "--force", description = "Replace existing key files.")
    boolean force;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Optional<KeyId> id = KeyFiles.kidOption(kid);
        if ((pkcs12 == null) != (passwordFile == null)) {
            throw new InputException("--pkcs12 and --password-file go together");
        }
        char[] password = passwordFile == null ? null : Pkcs12Files.password(passwordFile);
        SigningKey generated = SigningKey.generate(alg, id);
        VerificationKey pub = generated.verificationKey().orElseThrow();
        KeyId finalKid = id.orElse(KeyFiles.derivedKid(pub));
        pub = VerificationKey.of(pub.publicKey(), alg, Optional.of(finalKid));
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new InputException(out + ": cannot create the directory (" + e.getClass().getSimpleName() + ")", e);
        }
        for (String f : new String[] {PRIVATE, PUBLIC, COSE_KEY}) {
            if (!force && Files.exists(out.resolve(f))) {
                throw new InputException(out.resolve(f) + ": exists; use --force to replace it");
            }
        }
        if (pkcs12 != null && !force && Files.exists(pkcs12)) {
            throw new InputException(pkcs12 + ": exists; use --force to replace it");
        }
        String pubPem = KeyFiles.pemKidLine(finalKid) + Pem.publicKey(pub.publicKey());
        write(out.resolve(PRIVATE), (KeyFiles.pemKidLine(finalKid) + Pem.privateKey(generated.privateKey())
                + Pem.publicKey(pub.publicKey())).getBytes(StandardCharsets.US_ASCII), true);
        write(out.resolve(PUBLIC), pubPem.getBytes(StandardCharsets.US_ASCII), false);
        write(out.resolve(COSE_KEY), CoseKey.encode(pub), false);
        if (pkcs12 != null) {
            byte[] p12 = Pkcs12Files.write(new java.security.KeyPair(pub.publicKey(), generated.privateKey()), alg, finalKid,
                    password);
            java.util.Arrays.fill(password, '\0');
            write(pkcs12, p12, true);
        }
        var o = spec.commandLine().getOut();
        o.println("kid: " + finalKid);
        o.println("alg: " + alg);
        o.println("spki-sha256: " + pub.fingerprint());
        o.println("wrote " + out.resolve(PRIVATE) + " (private, mode 0600), " + out.resolve(PUBLIC) + ", "
                + out.resolve(COSE_KEY) + (pkcs12 == null ? "" : ", " + pkcs12 + " (private, mode 0600)"));
        return 0;
    }

    private void write(Path p, byte[] content, boolean secret) throws InputException {
        try {
            if (force) {
                Files.deleteIfExists(p);
            }
            // The private key file is created with mode 0600, so it is never readable by others,
            // not even between creation and a later chmod.
            if (secret && p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(p);
            }
            Files.write(p, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new InputException(p + ": exists; use --force to replace it", e);
        } catch (IOException e) {
            throw new InputException(p + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
