package io.starling.cli;

import io.starling.broker.auth.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code starling passwd}: manages a password file as {@code mosquitto_passwd} does, with its
 * flags, writing {@code $7$} lines (PBKDF2-SHA512) that Mosquitto 2 reads too, or with {@code -H
 * sha512} its older {@code $6$} lines, or with {@code --scram} Starling's SCRAM-SHA-256
 * credentials. Unlike {@code mosquitto_passwd}, comments and blank lines are kept, {@code -U} leaves
 * lines that are already hashed as they are, and the file is replaced in one step (a new file
 * moved over the old one) with owner-only permissions.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Manage a password file (mosquitto_passwd's flags).",
                "  starling passwd [-H sha512|sha512-pbkdf2] [-I n] [--scram] [-c | -D] FILE USER",
                "  starling passwd [-H sha512|sha512-pbkdf2] [-I n] [--scram] [-c] -b FILE USER PASSWORD",
                "  starling passwd [-I n] [--scram] -U FILE",
                "Without -b the password is asked for twice (from the terminal, or two lines of standard input)."})
final class PasswdCommand implements Callable<Integer> {
    @Option(names = "-c", description = "Create a new password file with this one user, overwriting any file there.")
    boolean create;

    @Option(names = "-b", description = "Batch mode: the password is the last argument.")
    boolean batch;

    @Option(names = "-D", description = "Delete the user.")
    boolean delete;

    @Option(names = "-U", description = "Hash every clear-text password of the file in place (hashed lines stay as they are).")
    boolean update;

    @Option(names = "-H", paramLabel = "HASH",
            description = "sha512-pbkdf2 ($7$, the default, as Mosquitto 2) or sha512 ($6$, Mosquitto 1.6).")
    @Nullable String hash;

    @Option(names = "-I", paramLabel = "ITERATIONS",
            description = "PBKDF2 iterations: the cost of checking a password (default: " + PasswordHash.DEFAULT_ITERATIONS + ").")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Option(names = "--scram", description = "Write SCRAM-SHA-256 credentials (Starling only: Mosquitto skips such lines).")
    boolean scram;

    @Parameters(paramLabel = "FILE USER [PASSWORD]", arity = "1..3")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() {
        try {
            return run();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("starling passwd: " + e.getMessage());
            return 1;
        }
    }

    private int run() throws IOException {
        PasswordHash.Form form = form();
        if (iterations < 1) {
            throw new IllegalArgumentException("-I: the number of iterations must be 1 or more");
        }
        if (create && delete || create && update || delete && update) {
            throw new IllegalArgumentException("-c, -D and -U cannot be used together");
        }
        if (delete && batch) {
            throw new IllegalArgumentException("-b and -D cannot be used together");
        }
        int expected = update ? 1 : batch ? 3 : 2;
        if (arguments.size() != expected) {
            throw new IllegalArgumentException("expected " + (update ? "FILE" : batch ? "FILE USER PASSWORD" : "FILE USER")
                    + " (see starling passwd --help)");
        }
        Path file = Path.of(arguments.get(0));
        if (update) {
            return hashInPlace(file, form);
        }
        String user = arguments.get(1);
        checkUserName(user);
        if (delete) {
            return deleteUser(file, user);
        }
        byte[] password = batch ? arguments.get(2).getBytes(StandardCharsets.UTF_8) : askPassword();
        if (password.length > 65535) {
            throw new IllegalArgumentException("a password must be less than 65536 bytes long");
        }
        String line = user + ":" + PasswordHash.create(form, password, iterations).encoded();
        Arrays.fill(password, (byte) 0);
        if (create) {
            write(file, List.of(line));
            return 0;
        }
        List<String> lines = read(file);
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (user.equals(userOf(lines.get(i)))) {
                lines.set(i, line);
                found = true;
            }
        }
        if (!found) {
            lines.add(line);
        }
        write(file, lines);
        return 0;
    }

    private PasswordHash.Form form() {
        if (scram) {
            if (hash != null) {
                throw new IllegalArgumentException("--scram and -H cannot be used together");
            }
            return PasswordHash.Form.SCRAM_SHA256;
        }
        if (hash == null || hash.equals("sha512-pbkdf2")) {
            return PasswordHash.Form.PBKDF2_SHA512;
        }
        if (hash.equals("sha512")) {
            return PasswordHash.Form.SHA512;
        }
        throw new IllegalArgumentException("-H: unknown hash type '" + hash + "' (sha512-pbkdf2 or sha512)");
    }

    /** As {@code mosquitto_passwd}: a user name has no {@code :} and no control characters. */
    private static void checkUserName(String user) {
        if (user.isEmpty() || user.length() > 65535) {
            throw new IllegalArgumentException("a user name is 1 to 65535 characters long");
        }
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a user name must not contain ':'");
        }
        if (user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a user name must not contain control characters");
        }
        if (!user.equals(user.strip()) || user.startsWith("#")) {
            throw new IllegalArgumentException("a user name must not start with '#' or with or end in white space");
        }
    }

    private int hashInPlace(Path file, PasswordHash.Form form) throws IOException {
        List<String> lines = read(file);
        int hashed = 0;
        for (int i = 0; i < lines.size(); i++) {
            String user = userOf(lines.get(i));
            if (user == null) {
                continue;
            }
            String stripped = lines.get(i).strip();
            String secret = stripped.substring(stripped.indexOf(':') + 1);
            if (!PasswordHash.isHashed(secret)) {
                lines.set(i, user + ":" + PasswordHash.create(form, secret.getBytes(StandardCharsets.UTF_8), iterations).encoded());
                hashed++;
            }
        }
        write(file, lines);
        System.out.println(file + ": " + hashed + " password" + (hashed == 1 ? "" : "s") + " hashed");
        return 0;
    }

    private static int deleteUser(Path file, String user) throws IOException {
        List<String> lines = read(file);
        if (!lines.removeIf(line -> user.equals(userOf(line)))) {
            System.err.println("starling passwd: user " + user + " not found in " + file);
            return 1;
        }
        write(file, lines);
        return 0;
    }

    /** The user name of a {@code user:...} line; null for blank lines, comments and lines without a colon. */
    private static @Nullable String userOf(String line) {
        String stripped = line.strip();
        int colon = stripped.indexOf(':');
        if (stripped.isEmpty() || stripped.startsWith("#") || colon <= 0) {
            return null;
        }
        return stripped.substring(0, colon);
    }

    private static List<String> read(Path file) throws IOException {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e, e);
        }
    }

    /** Writes a new file beside {@code file}, readable by its owner only, and moves it over {@code file}. */
    private static void write(Path file, List<String> lines) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        // on a POSIX file system a temporary file is made readable and writable by its owner only
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            StringBuilder text = new StringBuilder();
            lines.forEach(line -> text.append(line).append('\n'));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Asks twice, as {@code mosquitto_passwd} does: on the terminal without echo, else two lines of standard input. */
    private static byte[] askPassword() throws IOException {
        Console console = System.console();
        String first;
        String second;
        if (console != null) {
            char[] a = console.readPassword("Password: ");
            char[] b = console.readPassword("Reenter password: ");
            first = a == null ? null : new String(a);
            second = b == null ? null : new String(b);
        } else {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            first = in.readLine();
            second = in.readLine();
        }
        if (first == null || second == null) {
            throw new IllegalArgumentException("no password given");
        }
        if (!first.equals(second)) {
            throw new IllegalArgumentException("passwords do not match");
        }
        return first.getBytes(StandardCharsets.UTF_8);
    }
}
