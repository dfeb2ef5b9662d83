package dev.attest.tpm.attest;

import dev.attest.verify.DeviceStateStore;

/** {@link TpmAppraiserSharedState} on one in-memory store shared by the verifiers of one JVM. */
class TpmAppraiserSharedStateIT extends TpmAppraiserSharedState {
    private final DeviceStateStore shared = DeviceStateStore.inMemory();

    @Override
    DeviceStateStore openShared() {
        return shared;
    }

    @Override
    DeviceStateStore openFresh() {
        return DeviceStateStore.inMemory();
    }

    @Override
    void closeStores() {
    }
}
