package io.hoard.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code http.maxconnections}: connections above the limit are answered with a 503 and closed at
 * once (plain HTTP; over TLS they are just closed), so that half-open or idle connections cannot
 * run the process out of file descriptors while others are being served.
 */
public final class ConnectionLimit {
    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
            + "Content-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: 99\r\n\r\n"
            + "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable\",\"detail\":\"too many connections\"}]}")
            .getBytes(StandardCharsets.US_ASCII);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimit(int max) {
        this.max = max;
    }

    /**
     * Counts a new connection; false (and the connection refused) when the limit is reached.
     *
     * @param tls whether the connection speaks TLS (no plain answer is possible before the handshake)
     */
    public boolean admit(Channel channel, boolean tls) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            if (tls) {
                channel.close();
            } else {
                channel.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
            }
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    public int open() {
        return open.get();
    }
}
