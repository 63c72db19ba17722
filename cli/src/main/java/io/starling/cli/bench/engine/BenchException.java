package io.starling.cli.bench.engine;

/** A bench could not run as asked: the broker is unreachable, refused a connection or a subscription. The message is for the user. */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }
}
