package dev.attest.tpm.internal;

import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.TpmTransport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Raw TPM command stream over TCP (swtpm data port). */
public final class TcpTransport implements TpmTransport {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private TcpTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static TcpTransport connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            s.connect(address, ms);
            s.setSoTimeout(ms);
            s.setTcpNoDelay(true);
            return new TcpTransport(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public byte[] transmit(byte[] command) throws IOException {
        out.write(command);
        out.flush();
        return readResponse(in);
    }

    static byte[] readResponse(InputStream stream) throws IOException {
        DataInputStream din = stream instanceof DataInputStream d ? d : new DataInputStream(stream);
        byte[] header = new byte[10];
        din.readFully(header);
        int size = ((header[2] & 0xFF) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
        if (size < 10 || size > MAX_RESPONSE) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, 2, "response size " + Integer.toUnsignedString(size));
        }
        byte[] r = new byte[size];
        System.arraycopy(header, 0, r, 0, 10);
        din.readFully(r, 10, size - 10);
        return r;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
