package dev.attest.evidence;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * COSE_Key import from untrusted bytes: random input and single-byte changes or truncations of
 * valid keys give a key or an {@link EvidenceException}, never an unchecked exception.
 */
class CoseKeyProperties {
    private static final byte[][] KEYS = {
        CoseKey.encode(SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("a"))).verificationKey().orElseThrow()),
        CoseKey.encode(SigningKey.generate(SignatureAlgorithm.ES512, Optional.empty()).verificationKey().orElseThrow()),
        CoseKey.encode(SigningKey.generate(SignatureAlgorithm.EDDSA, Optional.of(KeyId.of("b"))).verificationKey().orElseThrow()),
        CoseKey.encode(SigningKey.generate(SignatureAlgorithm.PS256, Optional.empty()).verificationKey().orElseThrow()),
    };

    @Property
    void randomBytes(@ForAll byte[] bytes) {
        importBoth(bytes);
    }

    @Property
    void mutatedKeys(@ForAll @IntRange(min = 0, max = 3) int which, @ForAll @IntRange(min = 0, max = 1 << 20) int pos,
            @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll boolean truncate) {
        byte[] k = KEYS[which].clone();
        int i = pos % k.length;
        if (truncate) {
            k = java.util.Arrays.copyOf(k, i);
        } else {
            k[i] ^= (byte) xor;
        }
        importBoth(k);
    }

    private static void importBoth(byte[] b) {
        try {
            CoseKey.verificationKey(b);
        } catch (EvidenceException e) {
            // the only acceptable failure
        }
        try {
            CoseKey.signingKey(b);
        } catch (EvidenceException e) {
            // the only acceptable failure
        }
    }
}
