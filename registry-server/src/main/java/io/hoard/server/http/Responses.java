package io.hoard.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hoard.model.RegistryException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes responses on a channel: fixed bodies, blobs (zero-copy from files when the connection is
 * not TLS), and V2 errors — the one place that renders {@code {"errors":[{code,message,detail}]}}.
 */
final class Responses {
    static final ObjectMapper JSON = io.hoard.model.Json.MAPPER;
    private static final int CHUNK = 64 * 1024;

    private Responses() {
    }

    /** A response with a fixed body (empty for HEAD requests, which keep the Content-Length). */
    static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, HttpHeaders headers, byte[] body,
            boolean head) {
        ByteBuf content = head || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(headers);
        if (!(head && headers.contains(HttpHeaderNames.CONTENT_LENGTH))) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        return ctx.writeAndFlush(response);
    }

    /** The error body for {@code e}. */
    static byte[] errorBody(RegistryException e) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode errors = root.putArray("errors");
        ObjectNode error = errors.addObject();
        error.put("code", e.code().name());
        error.put("message", e.code().message());
        error.put("detail", e.detail());
        return json(root);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /**
     * Sends {@code length} bytes of {@code file} from its current position after {@code response},
     * with sendfile(2): the bytes never enter the JVM (plain-text connections only, see
     * {@link #zeroCopy}). Takes ownership of the file: the region closes it when released.
     */
    static ChannelFuture sendFile(ChannelHandlerContext ctx, HttpResponse response, FileChannel file, long length)
            throws IOException {
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        ctx.write(response);
        if (length == 0) {
            file.close();
            return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        ctx.write(new DefaultFileRegion(file, file.position(), length));
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Whether files can go to this connection without passing through the JVM: not when TLS encrypts it. */
    static boolean zeroCopy(ChannelHandlerContext ctx) {
        return ctx.pipeline().get(SslHandler.class) == null;
    }

    /**
     * Copies {@code length} bytes of a possibly blocking channel to the client from the calling
     * (virtual) thread, waiting whenever the connection is not writable.
     *
     * @return the future of the last write
     * @throws IOException when the channel fails or ends early, or the client goes away
     */
    static ChannelFuture pump(ChannelHandlerContext ctx, SeekableByteChannel channel, long length) throws IOException {
        long sent = 0;
        while (sent < length) {
            int want = (int) Math.min(CHUNK, length - sent);
            ByteBuf buf = ctx.alloc().buffer(want);
            try {
                ByteBuffer nio = buf.nioBuffer(0, want);
                int n = channel.read(nio);
                if (n < 0) {
                    throw new IOException("content ended after " + sent + " of " + length + " bytes");
                }
                buf.writerIndex(n);
                sent += n;
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(buf));
            if (!ctx.channel().isWritable()) {
                f.awaitUninterruptibly();
            }
            if (!ctx.channel().isActive()) {
                throw new IOException("the client went away after " + sent + " of " + length + " bytes");
            }
        }
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * Sends {@code length} bytes of a file still being written, from {@code offset}, with sendfile:
     * each range that becomes readable goes out as a file region (the file stays open; the caller
     * closes it), waiting whenever the connection is not writable.
     */
    static ChannelFuture follow(ChannelHandlerContext ctx, io.hoard.storage.GrowingFile content, long offset, long length)
            throws IOException {
        long position = offset;
        long end = offset + length;
        while (position < end) {
            long limit = Math.min(content.awaitReadable(position), end);
            if (limit <= position) {
                throw new IOException("content ended after " + (position - offset) + " of " + length + " bytes");
            }
            ChannelFuture f = ctx.writeAndFlush(new SharedFileRegion(content.file(), position, limit - position));
            position = limit;
            if (!ctx.channel().isWritable()) {
                f.awaitUninterruptibly();
            }
            if (!ctx.channel().isActive()) {
                throw new IOException("the client went away after " + (position - offset) + " of " + length + " bytes");
            }
        }
        ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        // The regions share the caller's file: it may be closed only once everything is sent.
        last.awaitUninterruptibly();
        return last;
    }

    /** A region of a file that other regions share: releasing it leaves the file open. */
    private static final class SharedFileRegion extends DefaultFileRegion {
        SharedFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // the file belongs to the GrowingFile, closed by the exchange
        }
    }

    static HttpResponse head(HttpResponseStatus status, HttpHeaders headers) {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(headers);
        return response;
    }

    static void keepAliveOff(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
