package dev.attest.tpm.eventlog;

import dev.attest.tpm.HashAlg;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One event of a TCG boot event log: TCG_PCR_EVENT (SHA-1 format) or TCG_PCR_EVENT2
 * (crypto-agile), TCG PFP §10.2.1 / §10.2.2.
 *
 * @param index the event's position in the log, 0 for the first
 * @param offset the event's byte offset in the log
 * @param pcr the PCR index
 * @param type the 32-bit event type (see {@link EventType})
 * @param digests the event's digests, one per algorithm, in log order
 * @param data the event data
 */
public record Event(int index, long offset, int pcr, int type, List<EventDigest> digests, byte[] data) {
    /**
     * Copies.
     *
     * @param index the event's position in the log, 0 for the first
     * @param offset the event's byte offset in the log
     * @param pcr the PCR index
     * @param type the 32-bit event type (see {@link EventType})
     * @param digests the event's digests, one per algorithm, in log order
     * @param data the event data
     */
    public Event {
        digests = List.copyOf(digests);
        data = data.clone();
    }

    /** @return a copy of {@code data} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** @return the known event type, if known */
    public Optional<EventType> knownType() {
        return EventType.of(type);
    }

    /**
     * @param hash the bank
     * @return the digest for {@code hash}, if the event has one
     */
    public Optional<byte[]> digest(HashAlg hash) {
        return digests.stream().filter(d -> d.algId() == hash.algId()).findFirst().map(EventDigest::digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && e.index == index && e.offset == offset && e.pcr == pcr && e.type == type
                && e.digests.equals(digests) && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return (index * 31 + pcr) * 31 + type + digests.hashCode();
    }

    @Override
    public String toString() {
        return "Event{#" + index + ", pcr=" + pcr + ", type=" + knownType().map(Enum::name).orElse(Integer.toHexString(type))
                + ", digests=" + digests + ", data=" + data.length + " bytes}";
    }
}
