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
     * when the state is used (1 to {@value DeviceStateStore#MAX_APPRAISER_ID_LENGTH} characters
     * of {@code [a-z0-9.-]}), so an appraiser that keeps no state may have any id. {@link #get}
     * and {@link #compareAndSet} check their arguments before they call the store, so any store,
     * the SDK's or one of its users', is only ever called with valid ones from here.
     *
     * @param store the state store
     * @param device the device id
     * @param appraiser the appraiser id
     * @return the state handle
     */
    public static AppraiserState of(DeviceStateStore store, String device, String appraiser) {
        return new AppraiserState(Objects.requireNonNull(store, "store"), Objects.requireNonNull(device, "device"),
                Objects.requireNonNull(appraiser, "appraiser"));
    }

    /**
     * The device this state belongs to.
     *
     * @return the device id
     */
    public String device() {
        return device;
    }

    /**
     * The appraiser id this state belongs to.
     *
     * @return the appraiser id
     */
    public String appraiser() {
        return appraiser;
    }

    /**
     * The stored state, if any ({@link DeviceStateStore#appraiserState}).
     *
     * @return a copy of the stored state, or empty if none is stored
     * @throws StateStoreException if the store is unavailable
     */
    public Optional<byte[]> get() {
        DeviceStateStore.checkAppraiserId(appraiser);
        return store.appraiserState(device, appraiser);
    }

    /**
     * Stores {@code next} if the state is still exactly {@code expected} (empty: none stored)
     * ({@link DeviceStateStore#compareAndSetAppraiserState}).
     *
     * @param expected the bytes the caller read, or empty for none
     * @param next the new state
     * @return whether the swap happened
     * @throws IllegalArgumentException if {@code next} exceeds {@link DeviceStateStore#MAX_APPRAISER_STATE_BYTES}
     * @throws StateStoreException if the store is unavailable
     */
    public boolean compareAndSet(Optional<byte[]> expected, byte[] next) {
        DeviceStateStore.checkAppraiserSwap(appraiser, expected, next);
        return store.compareAndSetAppraiserState(device, appraiser, expected, next);
    }

    /** Names the device and appraiser, never the state. */
    @Override
    public String toString() {
        return "AppraiserState[" + appraiser + " of " + device + "]";
    }
}
