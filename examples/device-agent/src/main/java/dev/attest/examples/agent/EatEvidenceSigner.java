package dev.attest.examples.agent;

import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.Signer;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The agent's evidence: an EAT (attest profile) carrying the log entries since the last evidence,
 * signed as a CWT in COSE_Sign1 by {@code signer} (a software key, or one in an HSM or TPM).
 */
public final class EatEvidenceSigner implements EvidenceSigner {
    private final EvidenceEncoder encoder;
    private final String swname;
    private final String swversion;
    private final Clock clock;

    /** Signs with {@code signer}; {@code swname}/{@code swversion} name the agent. */
    public EatEvidenceSigner(Signer signer, String swname, String swversion, Clock clock) {
        this.encoder = EvidenceEncoder.of(signer);
        this.swname = swname;
        this.swversion = swversion;
        this.clock = clock;
    }

    @Override
    public byte[] sign(LogHead since, List<LogEntry> entries, LogHead head, Optional<byte[]> nonce) throws Exception {
        EatClaims.Builder b = EatClaims.builder().profile(EatProfile.PROFILE).iat(clock.instant())
                .swname(swname).swversion(swversion).measurementLog(since, entries, head);
        nonce.ifPresent(b::nonce);
        return encoder.encode(b.build());
    }
}
