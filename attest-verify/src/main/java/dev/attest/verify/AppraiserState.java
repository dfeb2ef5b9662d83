package dev.attest.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * The state one {@link EvidenceAppraiser} keeps for one device: its {@link DeviceStateStore}
 * bound to (device, appraiser id). {@link Verifier} hands it to
 * {@link EvidenceAppraiser#appraise(String, dev.attest.evidence.VerifiedEvidence, AppraisalContext, AppraiserState)};
 * the bytes are opaque to the store and live as long as the store does (in a database, across
 * verifier restarts and shared by every replica). An appraiser reads with {@link #get()},
 * computes its next state and swaps it with {@link #compareAndSet}; a swap that fails means
 * another appraisal of the device (another replica) stored a state meanwhile: read again and
 * re-apply. Immutable and thread-safe.
 */
public final class AppraiserState {
    private final DeviceStateStore store;
    private final String device;
    private final String appraiser;

    private AppraiserState(DeviceStateStore store, String device, String appraiser) {
        this.store = store;
        this.device = device;
        this.appraiser = appraiser;
    }

    /**
     * {@code store}'s state for {@code device} and {@code appraiser}. The appraiser id is checked
     * by the store when the state is used (1 to {@value DeviceStateStore#MAX_APPRAISER_ID_LENGTH}
     * characters of {@code [a-z0-9.-]}), so an appraiser that keeps no state may have any id.
     */
    public static AppraiserState of(DeviceStateStore store, String device, String appraiser) {
        return new AppraiserState(Objects.requireNonNull(store, "store"), Objects.requireNonNull(device, "device"),
                Objects.requireNonNull(appraiser, "appraiser"));
    }

    /** The device this state belongs to. */
    public String device() {
        return device;
    }

    /** The appraiser id this state belongs to. */
    public String appraiser() {
        return appraiser;
    }

    /**
     * The stored state, if any ({@link DeviceStateStore#appraiserState}).
     *
     * @throws StateStoreException if the store is unavailable
     */
    public Optional<byte[]> get() {
        return store.appraiserState(device, appraiser);
    }

    /**
     * Stores {@code next} if the state is still exactly {@code expected} (empty: none stored)
     * ({@link DeviceStateStore#compareAndSetAppraiserState}).
     *
     * @return whether the swap happened
     * @throws IllegalArgumentException if {@code next} exceeds {@link DeviceStateStore#MAX_APPRAISER_STATE_BYTES}
     * @throws StateStoreException if the store is unavailable
     */
    public boolean compareAndSet(Optional<byte[]> expected, byte[] next) {
        return store.compareAndSetAppraiserState(device, appraiser, expected, next);
    }

    /** Names the device and appraiser, never the state. */
    @Override
    public String toString() {
        return "AppraiserState[" + appraiser + " of " + device + "]";
    }

    /** Checks an appraiser id ({@code [a-z0-9.-]{1,64}}); for stores. */
    static void checkAppraiser(String appraiser) {
        Objects.requireNonNull(appraiser, "appraiser");
        boolean ok = !appraiser.isEmpty() && appraiser.length() <= DeviceStateStore.MAX_APPRAISER_ID_LENGTH;
        for (int i = 0; ok && i < appraiser.length(); i++) {
            char c = appraiser.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        }
        if (!ok) {
            throw new IllegalArgumentException("appraiser id must be 1.." + DeviceStateStore.MAX_APPRAISER_ID_LENGTH
                    + " characters of [a-z0-9.-]");
        }
    }

    /** Checks a swap's arguments: the id, {@code expected} not null, {@code next} within the bound; for stores. */
    static void checkSwap(String appraiser, Optional<byte[]> expected, byte[] next) {
        checkAppraiser(appraiser);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        if (next.length > DeviceStateStore.MAX_APPRAISER_STATE_BYTES) {
            throw new IllegalArgumentException("appraiser state of " + next.length + " bytes exceeds "
                    + DeviceStateStore.MAX_APPRAISER_STATE_BYTES);
        }
    }
}
