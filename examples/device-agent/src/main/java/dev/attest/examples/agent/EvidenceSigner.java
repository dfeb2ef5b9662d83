package dev.attest.examples.agent;

import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import java.util.List;
import java.util.Optional;

/**
 * Turns the log entries appended since the last evidence into signed evidence bytes. The agent
 * ships the default implementation on attest-evidence (EAT in COSE_Sign1 with a software key);
 * a TPM- or HSM-resident key plugs in here.
 */
@FunctionalInterface
public interface EvidenceSigner {
    /**
     * @param since the head before {@code entries} (what the verifier saw last)
     * @param entries the entries appended since, oldest first
     * @param head the head after them
     * @param nonce the verifier's challenge, for challenge-response evidence
     */
    byte[] sign(LogHead since, List<LogEntry> entries, LogHead head, Optional<byte[]> nonce) throws Exception;
}
