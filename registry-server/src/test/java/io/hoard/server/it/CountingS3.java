package io.hoard.server.it;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the S3 calls of every SDK client in the test JVM, by operation (registered as a global
 * interceptor in {@code software/amazon/awssdk/global/handlers/execution.interceptors}).
 */
public final class CountingS3 implements ExecutionInterceptor {
    private static final ConcurrentHashMap<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        CALLS.computeIfAbsent(operation == null ? "?" : operation, k -> new AtomicInteger()).incrementAndGet();
    }

    /** The calls since the last snapshot, by operation. */
    public static Map<String, Integer> takeSnapshot() {
        Map<String, Integer> out = new TreeMap<>();
        CALLS.forEach((op, n) -> {
            int v = n.getAndSet(0);
            if (v > 0) {
                out.put(op, v);
            }
        });
        return out;
    }
}
