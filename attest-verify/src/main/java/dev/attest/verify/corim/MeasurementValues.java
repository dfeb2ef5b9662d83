package dev.attest.verify.corim;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The values of a measurement ({@code measurement-values-map}, draft-ietf-rats-corim
 * §5.1.4.1.4.2). At least one is present. Integrity registers are kept as their deterministic
 * CBOR encoding (this SDK does not interpret them), extension fields as {@link Extension}s.
 *
 * @param version the version and its scheme (key 0)
 * @param svn the security version number (key 1)
 * @param digests the digests (key 2); empty if absent
 * @param flags the flags by flag key (key 3: 0 is-configured, 1 is-secure, 2 is-recovery, 3
 *     is-debug, ...); empty if absent
 * @param rawValue the raw value and its mask (keys 4, 5)
 * @param macAddress a 6- or 8-byte MAC address (key 6)
 * @param ipAddress a 4- or 16-byte IP address (key 7)
 * @param serialNumber the serial number (key 8)
 * @param ueid a UEID (key 9)
 * @param uuid a UUID (key 10)
 * @param name a name (key 11)
 * @param cryptoKeys keys (key 13; PSA's signer id); empty if absent
 * @param integrityRegisters the integrity registers' deterministic CBOR encoding (key 14)
 * @param intRange an integer range (key 15)
 * @param extensions extension fields (negative keys), in the encoder's key order
 */
public record MeasurementValues(Optional<Version> version, Optional<Svn> svn, List<HashEntry> digests,
        Map<Long, Boolean> flags, Optional<RawValue> rawValue, Optional<Octets> macAddress, Optional<Octets> ipAddress,
        Optional<String> serialNumber, Optional<Octets> ueid, Optional<Octets> uuid, Optional<String> name,
        List<CryptoKey> cryptoKeys, Optional<Octets> integrityRegisters, Optional<IntRange> intRange,
        List<Extension> extensions) {

    /**
     * Validates the parts.
     *
     * @param version the version and its scheme (key 0)
     * @param svn the security version number (key 1)
     * @param digests the digests (key 2); empty if absent
     * @param flags the flags by flag key (key 3: 0 is-configured, 1 is-secure, 2 is-recovery, 3 is-debug,
     *     ...); empty if absent
     * @param rawValue the raw value and its mask (keys 4, 5)
     * @param macAddress a 6- or 8-byte MAC address (key 6)
     * @param ipAddress a 4- or 16-byte IP address (key 7)
     * @param serialNumber the serial number (key 8)
     * @param ueid a UEID (key 9)
     * @param uuid a UUID (key 10)
     * @param name a name (key 11)
     * @param cryptoKeys keys (key 13; PSA's signer id); empty if absent
     * @param integrityRegisters the integrity registers' deterministic CBOR encoding (key 14)
     * @param intRange an integer range (key 15)
     * @param extensions extension fields (negative keys), in the encoder's key order
     */
    public MeasurementValues {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(svn, "svn");
        digests = List.copyOf(digests);
        flags = Collections.unmodifiableMap(new TreeMap<>(flags));
        Objects.requireNonNull(rawValue, "rawValue");
        Objects.requireNonNull(macAddress, "macAddress");
        Objects.requireNonNull(ipAddress, "ipAddress");
        Objects.requireNonNull(serialNumber, "serialNumber");
        Objects.requireNonNull(ueid, "ueid");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        cryptoKeys = List.copyOf(cryptoKeys);
        Objects.requireNonNull(integrityRegisters, "integrityRegisters");
        Objects.requireNonNull(intRange, "intRange");
        extensions = Extension.canonical(extensions);
        if (macAddress.isPresent() && macAddress.get().length() != 6 && macAddress.get().length() != 8) {
            throw new IllegalArgumentException("a MAC address is 6 or 8 bytes");
        }
        if (ipAddress.isPresent() && ipAddress.get().length() != 4 && ipAddress.get().length() != 16) {
            throw new IllegalArgumentException("an IP address is 4 or 16 bytes");
        }
        if (uuid.isPresent() && uuid.get().length() != 16) {
            throw new IllegalArgumentException("a UUID is 16 bytes");
        }
        if (version.isEmpty() && svn.isEmpty() && digests.isEmpty() && flags.isEmpty() && rawValue.isEmpty()
                && macAddress.isEmpty() && ipAddress.isEmpty() && serialNumber.isEmpty() && ueid.isEmpty()
                && uuid.isEmpty() && name.isEmpty() && cryptoKeys.isEmpty() && integrityRegisters.isEmpty()
                && intRange.isEmpty() && extensions.isEmpty()) {
            throw new IllegalArgumentException("measurement values are not empty");
        }
    }

    /**
     * Values with only a name, digests, a version and keys: the common reference-value shape.
     *
     * @param name the name, or empty
     * @param digests the digests; empty if none
     * @param version the version, or empty
     * @param cryptoKeys the keys; empty if none
     * @return the measurement values
     */
    public static MeasurementValues of(Optional<String> name, List<HashEntry> digests, Optional<Version> version,
            List<CryptoKey> cryptoKeys) {
        return new MeasurementValues(version, Optional.empty(), digests, Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), name, cryptoKeys,
                Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * A version ({@code version-map}).
     *
     * @param version the version text
     * @param scheme the CoSWID version scheme (1 multipartnumeric, 2 +suffix, 3 alphanumeric, 4
     *     decimal, 16384 semver), if given
     */
    public record Version(String version, OptionalLong scheme) {
        /**
         * Validates the parts.
         *
         * @param version the version text
         * @param scheme the CoSWID version scheme (1 multipartnumeric, 2 +suffix, 3 alphanumeric, 4 decimal,
         *     16384 semver), if given
         */
        public Version {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(scheme, "scheme");
        }
    }

    /**
     * A security version number: exact (untagged or tag 552) or a minimum (tag 553).
     *
     * @param value the number, unsigned
     * @param minimum whether it is a minimum
     */
    public record Svn(long value, boolean minimum) {
        /**
         * Validates the number.
         *
         * @param value the number, unsigned
         * @param minimum whether it is a minimum
         */
        public Svn {
            if (value < 0) {
                throw new IllegalArgumentException("an svn is unsigned");
            }
        }
    }

    /**
     * A raw value and its mask: {@code tagged-bytes} with the deprecated mask under key 5, or
     * {@code tagged-masked-raw-value} (tag 563).
     *
     * @param value the value
     * @param mask the mask, if given
     * @param masked whether it was written as tag 563 (kept for a faithful re-encoding)
     */
    public record RawValue(Octets value, Optional<Octets> mask, boolean masked) {
        /**
         * Validates the parts.
         *
         * @param value the value
         * @param mask the mask, if given
         * @param masked whether it was written as tag 563 (kept for a faithful re-encoding)
         */
        public RawValue {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(mask, "mask");
            if (masked && mask.isEmpty()) {
                throw new IllegalArgumentException("a masked raw value has a mask");
            }
            if (mask.isPresent() && mask.get().length() != value.length()) {
                throw new IllegalArgumentException("a raw value's mask is as long as the value");
            }
        }
    }

    /**
     * An integer range (tag 564); an absent bound is unbounded.
     *
     * @param min the lower bound, inclusive
     * @param max the upper bound, inclusive
     */
    public record IntRange(OptionalLong min, OptionalLong max) {
        /**
         * Validates the bounds.
         *
         * @param min the lower bound, inclusive
         * @param max the upper bound, inclusive
         */
        public IntRange {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isPresent() && max.isPresent() && min.getAsLong() > max.getAsLong()) {
                throw new IllegalArgumentException("min > max");
            }
        }
    }

}
