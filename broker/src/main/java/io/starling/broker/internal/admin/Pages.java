package io.starling.broker.internal.admin;

import io.starling.broker.admin.BrokerAdmin.Page;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Cuts a page out of a whole ordered list. */
final class Pages {
    private Pages() {}

    /** Items {@code offset} to {@code offset + limit} of {@code all} (in order), each as {@code view} makes it; total is all of them. */
    static <S, T> Page<T> of(List<S> all, int offset, int limit, Function<List<S>, List<T>> view) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit are at least 0, not " + offset + " and " + limit);
        }
        int from = Math.min(offset, all.size());
        int to = (int) Math.min((long) from + limit, all.size());
        return new Page<>(view.apply(all.subList(from, to)), all.size(), offset, limit);
    }

    /** As {@link #of(List, int, int, Function)}, for items that need no view. */
    static <T> Page<T> of(List<T> all, int offset, int limit) {
        return of(all, offset, limit, Function.identity());
    }

    /** Whether {@code value} contains {@code part}; a null part matches everything, a null value only that. */
    static boolean contains(@Nullable String value, @Nullable String part) {
        return part == null || (value != null && value.contains(part));
    }
}
