package dev.attest.verify.ear;

import java.util.Optional;

/**
 * The eight AR4SI trustworthiness claims (draft-ietf-rats-ar4si §2.3.2 - §2.3.9), the keys of
 * {@code ear.trustworthiness-vector} (draft-ietf-rats-ear §3.2). The {@code int} constants are
 * the well-known values of each claim; the general ones ({@link #NO_CLAIM}, ...) apply to all.
 */
public enum TrustClaim {
    /** §2.3.2 instance identity: is the attesting environment a recognized, uncompromised instance. */
    INSTANCE_IDENTITY("instance-identity"),
    /** §2.3.3 configuration: known and approved, or exposing known vulnerabilities. */
    CONFIGURATION("configuration"),
    /** §2.3.4 executables: loaded code, scripts and objects at boot and run time. */
    EXECUTABLES("executables"),
    /** §2.3.5 file system: the evaluated directories and files. */
    FILE_SYSTEM("file-system"),
    /** §2.3.6 hardware: genuine hardware and firmware. */
    HARDWARE("hardware"),
    /** §2.3.7 runtime opaque: visibility of memory from outside the attester. */
    RUNTIME_OPAQUE("runtime-opaque"),
    /** §2.3.8 storage opaque: encryption of persistent secrets. */
    STORAGE_OPAQUE("storage-opaque"),
    /** §2.3.9 sourced data: integrity of data from external systems. */
    SOURCED_DATA("sourced-data");

    // General values (§2.3.1), valid for every claim.
    /** -1: a Verifier malfunction occurred during appraisal. */
    public static final int VERIFIER_MALFUNCTION = -1;
    /** 0: no claim is made (equivalent to the claim being absent). */
    public static final int NO_CLAIM = 0;
    /** 1: the evidence contains unexpected elements the Verifier cannot parse. */
    public static final int UNEXPECTED_EVIDENCE = 1;
    /** 99: cryptographic validation of the evidence failed. */
    public static final int CRYPTO_VALIDATION_FAILED = 99;

    // instance-identity (§2.3.2)
    /** 2: the instance is recognized and not known to be compromised. */
    public static final int TRUSTWORTHY_INSTANCE = 2;
    /** 96: the instance is recognized but not trustworthy. */
    public static final int UNTRUSTWORTHY_INSTANCE = 96;
    /** 97: the instance is not recognized although it should be. */
    public static final int UNRECOGNIZED_INSTANCE = 97;

    // configuration (§2.3.3)
    /** 2: a known and approved configuration. */
    public static final int APPROVED_CONFIG = 2;
    /** 3: the configuration exposes no known vulnerabilities. */
    public static final int NO_CONFIG_VULNS = 3;
    /** 32: the configuration exposes known vulnerabilities. */
    public static final int UNSAFE_CONFIG = 32;
    /** 96: the configuration exposes unacceptable vulnerabilities. */
    public static final int UNSUPPORTABLE_CONFIG = 96;

    // executables (§2.3.4)
    /** 2: only approved executables were loaded during and after boot. */
    public static final int APPROVED_RUNTIME = 2;
    /** 3: only approved executables were loaded during boot. */
    public static final int APPROVED_BOOT = 3;
    /** 32: recognized executables, but some with known vulnerabilities. */
    public static final int UNSAFE_RUNTIME = 32;
    /** 33: run-time memory holds unrecognized executables. */
    public static final int UNRECOGNIZED_RUNTIME = 33;
    /** 96: run-time memory holds contraindicated executables. */
    public static final int CONTRAINDICATED_RUNTIME = 96;

    // file-system (§2.3.5)
    /** 2: only approved files were found. */
    public static final int APPROVED_FILES = 2;
    /** 32: unrecognized files were found. */
    public static final int UNRECOGNIZED_FILES = 32;
    /** 96: contraindicated files were found. */
    public static final int CONTRAINDICATED_FILES = 96;

    // hardware (§2.3.6)
    /** 2: genuine hardware and firmware. */
    public static final int GENUINE_HARDWARE = 2;
    /** 32: genuine, but with known vulnerabilities. */
    public static final int UNSAFE_HARDWARE = 32;
    /** 96: recognized, but contraindicated. */
    public static final int CONTRAINDICATED_HARDWARE = 96;
    /** 97: not recognized although it should be. */
    public static final int UNRECOGNIZED_HARDWARE = 97;

    // runtime-opaque (§2.3.7)
    /** 2: memory is encrypted within a TEE. */
    public static final int ENCRYPTED_MEMORY = 2;
    /** 32: memory is isolated from other applications and guests. */
    public static final int ISOLATED_MEMORY = 32;
    /** 96: memory is unacceptably visible. */
    public static final int VISIBLE_MEMORY = 96;

    // storage-opaque (§2.3.8)
    /** 2: secrets are encrypted with hardware-backed keys. */
    public static final int HW_KEYS_ENCRYPTED_SECRETS = 2;
    /** 32: secrets are encrypted, but not with hardware-backed keys. */
    public static final int SW_KEYS_ENCRYPTED_SECRETS = 32;
    /** 96: secrets are stored unencrypted. */
    public static final int UNENCRYPTED_SECRETS = 96;

    // sourced-data (§2.3.9)
    /** 2: all sourced data comes from attesters in the affirming tier. */
    public static final int TRUSTED_SOURCES = 2;
    /** 32: sourced data comes from unattested or warning-tier sources. */
    public static final int UNTRUSTED_SOURCES = 32;
    /** 96: sourced data comes from contraindicated sources. */
    public static final int CONTRAINDICATED_SOURCES = 96;

    private final String jsonName;

    TrustClaim(String jsonName) {
        this.jsonName = jsonName;
    }

    /**
     * The key used in {@code ear.trustworthiness-vector} JSON (e.g. {@code "instance-identity"}).
     *
     * @return the JSON key
     */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The claim with this exact JSON key (case-sensitive), or empty.
     *
     * @param name the JSON key
     * @return the claim, or empty if {@code name} is none
     */
    public static Optional<TrustClaim> fromJsonName(String name) {
        for (TrustClaim c : values()) {
            if (c.jsonName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
