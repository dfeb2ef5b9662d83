package dev.attest.tpm.attest;

import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.Signer;
import dev.attest.evidence.VerificationKey;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.Hierarchy;
import dev.attest.tpm.LoadedKey;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmException;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.TpmtSignature;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.util.Objects;
import java.util.Optional;

/**
 * A COSE {@link Signer} whose ES256 key never leaves the TPM: an unrestricted ECC P-256 signing
 * key ({@link TpmtPublic#signingEccP256Template()}), a primary key of the owner hierarchy, so the
 * same TPM derives the same key again after a restart (TPM 2.0 Part 1 §26.1: primary keys are
 * derived from the hierarchy seed and the template). {@link #sign} hashes the COSE Sig_structure
 * with SHA-256, has the TPM sign the digest (Part 3 §20.2 TPM2_Sign) and returns {@code r || s},
 * each left-padded to 32 bytes (RFC 9053 §2.1).
 *
 * <p>The key stays loaded until {@link #close()}, which flushes it (the TPM is not closed: the
 * caller owns it). Thread-safe: signatures are serialized.
 */
public final class TpmSigner implements Signer, AutoCloseable {
    private static final int COORDINATE = 32;
    private final Tpm tpm;
    private final LoadedKey key;
    private final Optional<KeyId> keyId;
    private final VerificationKey verificationKey;
    private boolean closed;

    private TpmSigner(Tpm tpm, LoadedKey key, Optional<KeyId> keyId, VerificationKey vk) {
        this.tpm = tpm;
        this.key = key;
        this.keyId = keyId;
        this.verificationKey = vk;
    }

    /**
     * Creates (derives) the signing key in {@code tpm}.
     *
     * @param tpm an open TPM client, used by this signer until {@link #close()}
     * @param keyId the {@code kid} to put in the COSE header
     * @return the signer
     * @throws IOException on transport failure
     * @throws TpmException if the TPM refuses
     * @throws GeneralSecurityException if the TPM's public key is not a usable P-256 key
     */
    public static TpmSigner create(Tpm tpm, Optional<KeyId> keyId) throws IOException, TpmException,
            GeneralSecurityException {
        Objects.requireNonNull(tpm, "tpm");
        Objects.requireNonNull(keyId, "keyId");
        LoadedKey k = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.signingEccP256Template());
        try {
            VerificationKey vk = VerificationKey.of(k.publicArea().toPublicKey(), SignatureAlgorithm.ES256, keyId);
            return new TpmSigner(tpm, k, keyId, vk);
        } catch (GeneralSecurityException | RuntimeException e) {
            tpm.flushContext(k.handle());
            throw e;
        }
    }

    @Override
    public SignatureAlgorithm algorithm() {
        return SignatureAlgorithm.ES256;
    }

    @Override
    public Optional<KeyId> keyId() {
        return keyId;
    }

    /**
     * The public key the verifier pins for this device, with this signer's algorithm and key id.
     *
     * @return the verification key
     */
    public VerificationKey verificationKey() {
        return verificationKey;
    }

    /**
     * The key's public area (its Name identifies it to a TPM-aware verifier).
     *
     * @return the public area
     */
    public TpmtPublic publicArea() {
        return key.publicArea();
    }

    /**
     * Signs SHA-256({@code toBeSigned}) in the TPM.
     *
     * @throws SignatureException if the TPM is unreachable, refuses, or answers with a signature
     *     that is not an ECDSA-SHA256 one with coordinates of at most 32 bytes
     */
    @Override
    public synchronized byte[] sign(byte[] toBeSigned) throws GeneralSecurityException {
        Objects.requireNonNull(toBeSigned, "toBeSigned");
        if (closed) {
            throw new SignatureException("TPM signer closed");
        }
        TpmtSignature sig;
        try {
            sig = tpm.sign(key.handle(), HashAlg.SHA256.hash(toBeSigned));
        } catch (IOException | TpmException e) {
            throw new SignatureException("TPM2_Sign failed: " + e.getMessage(), e);
        }
        if (sig.scheme() != TpmtSignature.Scheme.ECDSA || sig.hash() != HashAlg.SHA256) {
            throw new SignatureException("TPM signed with " + sig.scheme() + "/" + sig.hash() + ", not ECDSA/SHA256");
        }
        byte[] out = new byte[2 * COORDINATE];
        put(sig.ecdsaR(), out, 0);
        put(sig.ecdsaS(), out, COORDINATE);
        return out;
    }

    private static void put(byte[] coordinate, byte[] out, int at) throws SignatureException {
        int start = 0;
        while (start < coordinate.length - 1 && coordinate[start] == 0) {
            start++;
        }
        int len = coordinate.length - start;
        if (len > COORDINATE) {
            throw new SignatureException("ECDSA coordinate of " + coordinate.length + " bytes");
        }
        System.arraycopy(coordinate, start, out, at + COORDINATE - len, len);
    }

    /** Flushes the key from the TPM; later {@link #sign} calls fail. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            tpm.flushContext(key.handle());
        } catch (TpmException e) {
            throw new IOException("TPM2_FlushContext failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TpmSigner[ES256, " + verificationKey.fingerprint() + "]";
    }
}
