package dev.attest.tpm;

import dev.attest.tpm.internal.Kdf;
import dev.attest.tpm.internal.TpmWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * A credential encrypted to an EK for one named key: the software TPM2_MakeCredential (TPM 2.0
 * Part 3 §12.6, Part 1 §24 "Credential Protection"). Only a TPM holding the EK's private key
 * and a loaded object with that Name can recover the credential with TPM2_ActivateCredential,
 * which proves to the verifier that the AK lives in the same TPM as the EK.
 *
 * @param credentialBlob the TPM2B_ID_OBJECT contents: TPM2B_DIGEST integrityHMAC || encIdentity
 * @param secret the TPM2B_ENCRYPTED_SECRET contents: the seed, RSA-OAEP encrypted or an ECDH point
 */
public record CredentialChallenge(byte[] credentialBlob, byte[] secret) {
    /**
     * Copies.
     *
     * @param credentialBlob the TPM2B_ID_OBJECT contents: TPM2B_DIGEST integrityHMAC || encIdentity
     * @param secret the TPM2B_ENCRYPTED_SECRET contents: the seed, RSA-OAEP encrypted or an ECDH point
     */
    public CredentialChallenge {
        credentialBlob = credentialBlob.clone();
        secret = secret.clone();
    }

    /** @return a copy of {@code credentialBlob} */
    @Override
    public byte[] credentialBlob() {
        return credentialBlob.clone();
    }

    /** @return a copy of {@code secret} */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /**
     * Makes a credential challenge in software.
     *
     * @param ek the endorsement key's public area (a restricted decryption key: RSA 2048 or ECC
     *        P-256 with an AES-CFB symmetric algorithm, e.g. the TCG EK templates)
     * @param objectName the Name of the key the credential is bound to (the AK's Name)
     * @param credential the secret to return to a genuine TPM, at most the EK nameAlg's digest size
     * @param random the randomness source
     * @return the blob and encrypted seed to send to the device
     * @throws GeneralSecurityException if the EK is not a supported restricted decryption key
     */
    public static CredentialChallenge make(TpmtPublic ek, byte[] objectName, byte[] credential, SecureRandom random)
            throws GeneralSecurityException {
        if ((ek.objectAttributes() & (TpmtPublic.RESTRICTED | TpmtPublic.DECRYPT | TpmtPublic.SIGN))
                != (TpmtPublic.RESTRICTED | TpmtPublic.DECRYPT) || ek.symmetricAlg() != 0x0006 || ek.symmetricMode() != 0x0043) {
            throw new GeneralSecurityException("EK must be a restricted decryption key with AES-CFB");
        }
        HashAlg h = ek.nameAlg();
        if (credential.length == 0 || credential.length > h.digestSize()) {
            throw new IllegalArgumentException("credential must be 1.." + h.digestSize() + " bytes");
        }
        byte[] seed;
        byte[] secret;
        if (ek.type() == TpmtPublic.KeyType.RSA) {
            seed = new byte[h.digestSize()];
            random.nextBytes(seed);
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            byte[] label = "IDENTITY\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            oaep.init(Cipher.ENCRYPT_MODE, ek.toPublicKey(), new OAEPParameterSpec(h.jcaName(), "MGF1",
                    new MGF1ParameterSpec(h.jcaName()), new PSource.PSpecified(label)), random);
            secret = oaep.doFinal(seed);
        } else {
            if (ek.curveId() != TpmtPublic.CURVE_NIST_P256) {
                throw new GeneralSecurityException("only NIST P-256 ECC EKs are supported");
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair eph = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init((ECPrivateKey) eph.getPrivate());
            ka.doPhase(ek.toPublicKey(), true);
            byte[] z = ka.generateSecret();
            ECPoint q = ((ECPublicKey) eph.getPublic()).getW();
            byte[] qx = fixed(q.getAffineX(), 32);
            byte[] qy = fixed(q.getAffineY(), 32);
            seed = Kdf.kdfe(h, z, "IDENTITY", qx, ek.uniqueX(), h.digestSize() * 8);
            secret = new TpmWriter().tpm2b(qx).tpm2b(qy).toByteArray();
        }
        byte[] symKey = Kdf.kdfa(h, seed, "STORAGE", objectName, new byte[0], ek.symmetricKeyBits());
        Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding");
        cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
        byte[] encIdentity = cfb.doFinal(new TpmWriter().tpm2b(credential).toByteArray());
        byte[] hmacKey = Kdf.kdfa(h, seed, "INTEGRITY", new byte[0], new byte[0], h.digestSize() * 8);
        String macName = "Hmac" + h.jcaName().replace("-", "");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance(macName);
        mac.init(new SecretKeySpec(hmacKey, macName));
        mac.update(encIdentity);
        mac.update(objectName);
        byte[] blob = new TpmWriter().tpm2b(mac.doFinal()).bytes(encIdentity).toByteArray();
        Arrays.fill(seed, (byte) 0);
        return new CredentialChallenge(blob, secret);
    }

    private static byte[] fixed(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] r = new byte[len];
        int n = Math.min(len, b.length);
        System.arraycopy(b, b.length - n, r, len - n, n);
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialChallenge c && Arrays.equals(c.credentialBlob, credentialBlob)
                && Arrays.equals(c.secret, secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(credentialBlob) * 31 + Arrays.hashCode(secret);
    }

    @Override
    public String toString() {
        return "CredentialChallenge{blob=" + credentialBlob.length + " bytes, secret=" + secret.length + " bytes}";
    }
}
