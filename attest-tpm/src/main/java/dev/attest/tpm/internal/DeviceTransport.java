package dev.attest.tpm.internal;

import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.TpmTransport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Linux TPM character device ({@code /dev/tpmrm0} or {@code /dev/tpm0}): the kernel accepts one
 * complete command per write and returns the complete response to the next read.
 */
public final class DeviceTransport implements TpmTransport {
    private final RandomAccessFile file;

    private DeviceTransport(RandomAccessFile file) {
        this.file = file;
    }

    public static DeviceTransport open(Path device) throws IOException {
        // RandomAccessFile "rw" would create a missing path as an empty regular file.
        if (!Files.exists(device)) {
            throw new NoSuchFileException(device.toString(), null, "no such TPM device");
        }
        if (Files.isRegularFile(device) || Files.isDirectory(device)) {
            throw new IOException(device + " is not a TPM character device");
        }
        return new DeviceTransport(new RandomAccessFile(device.toFile(), "rw"));
    }

    @Override
    public byte[] transmit(byte[] command) throws IOException {
        file.write(command);
        byte[] buf = new byte[MAX_RESPONSE];
        int n = file.read(buf);
        if (n < 10) {
            throw new TpmFormatException(Reason.TRUNCATED, Math.max(n, 0), "short response from device: " + n + " bytes");
        }
        int size = ((buf[2] & 0xFF) << 24) | ((buf[3] & 0xFF) << 16) | ((buf[4] & 0xFF) << 8) | (buf[5] & 0xFF);
        if (size != n) {
            throw new TpmFormatException(Reason.INVALID_VALUE, 2, "response size field " + size + " but read " + n);
        }
        return Arrays.copyOf(buf, n);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
