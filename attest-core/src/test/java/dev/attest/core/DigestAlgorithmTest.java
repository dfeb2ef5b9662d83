package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The identifiers EAT digests carry ({@code [alg, value]}) are those of IANA's "Named Information
 * Hash Algorithm Registry" (RFC 6920 §9.4): 1 sha-256, 7 sha-384, 8 sha-512, 9 sha3-224,
 * 10 sha3-256, 11 sha3-384, 12 sha3-512. A verifier of another stack (CoRIM, Veraison) reads
 * them by that registry, so they must match it exactly.
 */
class DigestAlgorithmTest {
    @Test
    void namedInformationIdsAreIanas() {
        Map<String, Integer> ids = new TreeMap<>();
        for (DigestAlgorithm a : DigestAlgorithm.values()) {
            ids.put(a.ianaName(), a.namedInformationId());
        }
        assertEquals(Map.of("sha-256", 1, "sha-384", 7, "sha-512", 8, "sha3-256", 10), ids);
    }
}
