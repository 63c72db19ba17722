package io.starling.cli.bench.engine;

import java.security.SecureRandom;

/**
 * Run identifiers: random, so that topics ({@code bench/<run>/...}) and client identifiers of
 * parallel or earlier runs, and anything retained on them, never mix with this run's.
 */
final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    /** A new nonzero run id. */
    static int next() {
        int id;
        do {
            id = RANDOM.nextInt();
        } while (id == 0);
        return id;
    }

    /** The id as 8 hexadecimal digits, as it appears in topics and client identifiers. */
    static String hex(int run) {
        return String.format("%08x", run);
    }
}
