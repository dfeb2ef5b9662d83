package dev.attest.tpm;

import dev.attest.tpm.internal.DeviceTransport;
import dev.attest.tpm.internal.TcpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Carries one marshalled TPM 2.0 command to a TPM and returns its complete response
 * (TPM 2.0 Part 1 §18.2: header tag, size, code). Implementations are not thread-safe;
 * a {@link Tpm} client serializes its commands.
 */
public interface TpmTransport extends AutoCloseable {
    /** The largest response accepted (TPM2_MAX_COMMAND_SIZE is 4096 on common TPMs). */
    int MAX_RESPONSE = 8192;

    /**
     * Sends one command and waits for its response.
     *
     * @param command the complete command bytes
     * @return the complete response bytes, whose header size field equals their length
     * @throws IOException on transport failure or a response that is not framed correctly
     */
    byte[] transmit(byte[] command) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * Connects to a TPM simulator's raw command port (swtpm {@code socket --server type=tcp}):
     * raw command bytes in, raw response bytes out.
     *
     * @param address the simulator's data port
     * @param timeout connect and read timeout
     * @return an open transport
     * @throws IOException if the connection fails
     */
    static TpmTransport tcp(InetSocketAddress address, Duration timeout) throws IOException {
        return TcpTransport.connect(address, timeout);
    }

    /**
     * Opens a Linux TPM character device, normally the kernel resource manager {@code /dev/tpmrm0}
     * (which flushes this client's transient objects and sessions when it is closed).
     *
     * @param device the device path
     * @return an open transport
     * @throws IOException if the device cannot be opened
     */
    static TpmTransport device(Path device) throws IOException {
        return DeviceTransport.open(device);
    }
}
