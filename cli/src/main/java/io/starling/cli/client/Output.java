package io.starling.cli.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Standard output of pub and sub as bytes: payloads are written exactly as received (a character
 * writer would mangle a payload that is not UTF-8), and debug lines go to the same stream so the
 * two stay in order. Every write is flushed, so a consumer at the other end of a pipe sees each
 * message as it arrives. Written from the main thread and the client's callback thread.
 */
final class Output {
    private static final byte[] NEWLINE = {'\n'};

    private final OutputStream out;

    Output(OutputStream out) {
        this.out = out;
    }

    /** {@code text} and a newline, as UTF-8. */
    void line(String text) {
        write(text.getBytes(StandardCharsets.UTF_8), NEWLINE);
    }

    /**
     * The given byte arrays, one after the other, then a flush; fails if standard output is gone
     * (the reader of a pipe exited), which {@code System.out} reports only through checkError.
     */
    synchronized void write(byte[]... parts) {
        try {
            for (byte[] part : parts) {
                out.write(part);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output: " + e.getMessage(), e);
        }
        if (out instanceof PrintStream printStream && printStream.checkError()) {
            throw new UncheckedIOException("cannot write to standard output", new IOException("closed or broken pipe"));
        }
    }
}
