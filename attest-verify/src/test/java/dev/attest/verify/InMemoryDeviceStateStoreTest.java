package dev.attest.verify;

/** The store contract on the in-memory store. */
class InMemoryDeviceStateStoreTest extends DeviceStateStoreContract {
    @Override
    DeviceStateStore store() {
        return DeviceStateStore.inMemory();
    }
}
