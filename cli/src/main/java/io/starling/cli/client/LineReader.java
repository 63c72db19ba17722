package io.starling.cli.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The lines of pub -l, as bytes, each returned as soon as its newline arrives (a pipe from {@code
 * tail -f} never ends). As in mosquitto_pub a line ends at {@code \n} only: a {@code \r} before it
 * stays in the payload, an empty line is an empty message, and a last line without a newline
 * still counts.
 */
final class LineReader {
    private final InputStream in;
    private final int maxLength;
    private final byte[] buffer = new byte[8192];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int limit;

    LineReader(InputStream in, int maxLength) {
        this.in = in;
        this.maxLength = maxLength;
    }

    /** The next line without its {@code \n}, or null at the end of the input. */
    byte @Nullable [] next() throws IOException {
        line.reset();
        boolean any = false;
        while (true) {
            if (position == limit) {
                // read() returns what the pipe holds now, so a line is not held back for more input
                int n = in.read(buffer);
                if (n < 0) {
                    return any ? line.toByteArray() : null;
                }
                position = 0;
                limit = n;
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (line.size() + position - start > maxLength) {
                throw new IOException("a line of standard input is longer than " + maxLength + " bytes");
            }
            line.write(buffer, start, position - start);
            if (position < limit) {
                position++; // the newline
                return line.toByteArray();
            }
        }
    }
}
