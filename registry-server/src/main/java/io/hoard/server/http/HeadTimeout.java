package io.hoard.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Closes a connection whose client started a request head and did not finish it in time (a
 * slowloris sending a byte a minute keeps an idle timeout happy forever). Sits in front of the
 * HTTP codec; the first bytes of a head arm the timer, {@link RegistryHandler} disarms it when the
 * head has been decoded and re-opens the watch when the response is done.
 */
public final class HeadTimeout extends ChannelDuplexHandler {
    private final Duration limit;
    private boolean watching = true;
    private @Nullable ScheduledFuture<?> timer;

    public HeadTimeout(Duration limit) {
        this.limit = limit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (watching && timer == null && msg instanceof ByteBuf b && b.isReadable()) {
            timer = ctx.executor().schedule(() -> {
                ctx.close();
            }, limit.toMillis(), TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The head is complete: the body (and the handler) have their own timeouts. Event loop only. */
    void headReceived() {
        watching = false;
        cancel();
    }

    /** The response is done: the next bytes start another head. Event loop only. */
    void awaitNextHead() {
        watching = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
