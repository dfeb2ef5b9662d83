package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link AppraiserState} checks an appraiser's id and state before it calls the store, so a
 * store of the SDK's users never sees invalid arguments from it; the same checks are public on
 * {@link DeviceStateStore} for stores called directly.
 */
class AppraiserStateTest {
    /** A store no test may reach: its every method fails the test. */
    private static final class Tripwire implements DeviceStateStore {
        @Override
        public Optional<DeviceState> get(String device) {
            throw new AssertionError("store called");
        }

        @Override
        public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
            throw new AssertionError("store called");
        }

        @Override
        public boolean useNonce(String device, byte[] nonce, Duration ttl) {
            throw new AssertionError("store called");
        }

        @Override
        public Optional<byte[]> appraiserState(String device, String appraiser) {
            throw new AssertionError("store called");
        }

        @Override
        public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected,
                byte[] next) {
            throw new AssertionError("store called");
        }
    }

    @Test
    void invalidIdsAndOversizedStatesAreRefusedBeforeTheStoreIsCalled() {
        Tripwire store = new Tripwire();
        for (String bad : List.of("", "a".repeat(DeviceStateStore.MAX_APPRAISER_ID_LENGTH + 1), "TPM", "tpm state",
                "tpm/1", "tpm\u00e9")) {
            AppraiserState state = AppraiserState.of(store, "dev-1", bad);
            assertThrows(IllegalArgumentException.class, state::get, bad);
            assertThrows(IllegalArgumentException.class, () -> state.compareAndSet(Optional.empty(), new byte[1]), bad);
            assertThrows(IllegalArgumentException.class, () -> DeviceStateStore.checkAppraiserId(bad), bad);
        }
        AppraiserState tpm = AppraiserState.of(store, "dev-1", "tpm");
        byte[] over = new byte[DeviceStateStore.MAX_APPRAISER_STATE_BYTES + 1];
        assertThrows(IllegalArgumentException.class, () -> tpm.compareAndSet(Optional.empty(), over));
        assertThrows(NullPointerException.class, () -> tpm.compareAndSet(null, new byte[1]));
        assertThrows(NullPointerException.class, () -> tpm.compareAndSet(Optional.empty(), null));
        assertThrows(NullPointerException.class, () -> DeviceStateStore.checkAppraiserId(null));
        // Valid arguments reach the store.
        assertThrows(AssertionError.class, tpm::get);
        DeviceStateStore.checkAppraiserId("a".repeat(DeviceStateStore.MAX_APPRAISER_ID_LENGTH));
        DeviceStateStore.checkAppraiserSwap("tpm.ima-2", Optional.empty(),
                new byte[DeviceStateStore.MAX_APPRAISER_STATE_BYTES]);
    }

    @Test
    void validArgumentsGoToTheStoreAsTheyAre() {
        DeviceStateStore store = DeviceStateStore.inMemory();
        AppraiserState state = AppraiserState.of(store, "dev-1", "tpm");
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        assertTrue(state.compareAndSet(Optional.empty(), first));
        assertArrayEquals(first, state.get().orElseThrow());
        assertArrayEquals(first, store.appraiserState("dev-1", "tpm").orElseThrow());
    }
}
