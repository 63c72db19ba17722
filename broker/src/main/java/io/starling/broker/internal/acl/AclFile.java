package io.starling.broker.internal.acl;

import io.starling.broker.config.ConfigException;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An ACL file in Mosquitto's format ({@code acl_file}), parsed and checked whole. Lines:
 * <pre>
 * # a comment (its first non-blank character is '#'); blank lines are skipped
 * topic [read|write|readwrite|deny] FILTER   rules of the current user (readwrite when no access is given)
 * user NAME                                  the rules below are NAME's, up to the next user line
 * pattern [read|write|readwrite|deny] FILTER a rule for every client; a level that is exactly %c
 *                                            or %u stands for its client identifier or user name
 * </pre>
 * The {@code topic} lines before the first {@code user} line are for anonymous clients (no user
 * name). The filter is the rest of the line, so it may hold spaces, in which case the access
 * word must be written. Immutable: a reload makes a new one, which also tells each session's
 * cached decisions ({@link ClientRights}) that they are out of date.
 */
public final class AclFile {
    private final String name;
    private final List<AclRule> anonymous;
    private final Map<String, List<AclRule>> users;
    private final List<AclRule> patterns;

    private AclFile(String name, List<AclRule> anonymous, Map<String, List<AclRule>> users, List<AclRule> patterns) {
        this.name = name;
        this.anonymous = anonymous;
        this.users = users;
        this.patterns = patterns;
    }

    /** Reads and checks {@code file}; a bad line fails with {@code FILE:LINE: problem}. */
    public static AclFile load(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read the ACL file: " + e.getMessage(), e);
        }
        return parse(file.toString(), lines);
    }

    /** Parses {@code lines} of the file called {@code name} (used in messages). */
    public static AclFile parse(String name, List<String> lines) throws ConfigException {
        List<AclRule> anonymous = new ArrayList<>();
        Map<String, List<AclRule>> users = new HashMap<>();
        List<AclRule> patterns = new ArrayList<>();
        List<AclRule> current = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int space = firstBlank(line);
            String keyword = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1).strip();
            switch (keyword) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        throw new ConfigException(name, number, "'user' needs a user name");
                    }
                    // a user may have several sections: their rules add up, as in Mosquitto
                    current = users.computeIfAbsent(rest, u -> new ArrayList<>());
                }
                case "topic", "pattern" -> {
                    AclRule rule = rule(name, number, keyword, rest);
                    (rule.pattern() ? patterns : current).add(rule);
                }
                default -> throw new ConfigException(name, number,
                        "unknown keyword '" + keyword + "': expected topic, pattern or user");
            }
        }
        return new AclFile(name, List.copyOf(anonymous), copy(users), List.copyOf(patterns));
    }

    private static AclRule rule(String name, int number, String keyword, String rest) throws ConfigException {
        if (rest.isEmpty()) {
            throw new ConfigException(name, number, "'" + keyword + "' needs a topic filter");
        }
        int space = firstBlank(rest);
        AclRule.Access access;
        String filter;
        if (space < 0) {
            if (AclRule.Access.parse(rest) != null) {
                // Mosquitto would take "topic read" as readwrite on the topic "read": almost
                // certainly a forgotten filter, so refused here
                throw new ConfigException(name, number, "'" + keyword + " " + rest + "' needs a topic filter after the access");
            }
            access = AclRule.Access.READWRITE;
            filter = rest;
        } else {
            String word = rest.substring(0, space);
            access = AclRule.Access.parse(word);
            if (access == null) {
                throw new ConfigException(name, number, "unknown access '" + word
                        + "': expected read, write, readwrite or deny (a filter with spaces needs the access written before it)");
            }
            filter = rest.substring(space + 1).strip();
        }
        // '$share/...' is an ordinary filter here: rules apply to a shared subscription's own filter
        String violation = Topics.filterViolation(filter, MqttVersion.V3_1_1);
        if (violation != null) {
            throw new ConfigException(name, number, "invalid topic filter '" + filter + "': " + violation);
        }
        return new AclRule(access, filter, keyword.equals("pattern"), number);
    }

    private static int firstBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, List<AclRule>> copy(Map<String, List<AclRule>> users) {
        Map<String, List<AclRule>> copy = new HashMap<>();
        users.forEach((user, rules) -> copy.put(user, List.copyOf(rules)));
        return Map.copyOf(copy);
    }

    /** The file's name as given, for messages. */
    public String name() {
        return name;
    }

    /** How many rules the file holds, for the log. */
    public int size() {
        int n = anonymous.size() + patterns.size();
        for (List<AclRule> rules : users.values()) {
            n += rules.size();
        }
        return n;
    }

    /**
     * The rules that apply to the client {@code clientId} with user name {@code username} (null:
     * anonymous): its user's {@code topic} rules (the anonymous ones when it has no user name)
     * and every {@code pattern}, filled in. A pattern whose {@code %c} or {@code %u} cannot be
     * filled (no user name, or a value holding '/', '+' or '#', which is never one topic level)
     * applies to no topic for this client, as in Mosquitto 2.
     */
    ClientRules rulesFor(@Nullable String username, String clientId) {
        List<String> deny = new ArrayList<>();
        List<String> read = new ArrayList<>();
        List<String> write = new ArrayList<>();
        List<AclRule> own = username == null ? anonymous : users.getOrDefault(username, List.of());
        for (AclRule rule : own) {
            add(rule.access(), rule.filter(), deny, read, write);
        }
        for (AclRule rule : patterns) {
            String filter = fill(rule.filter(), username, clientId);
            if (filter != null) {
                add(rule.access(), filter, deny, read, write);
            }
        }
        return new ClientRules(deny, read, write);
    }

    private static void add(AclRule.Access access, String filter, List<String> deny, List<String> read, List<String> write) {
        if (access == AclRule.Access.DENY) {
            deny.add(filter);
        }
        if (access.reads()) {
            read.add(filter);
        }
        if (access.writes()) {
            write.add(filter);
        }
    }

    /** {@code pattern} with its whole-level {@code %c} and {@code %u} replaced, or null when one cannot be. */
    static @Nullable String fill(String pattern, @Nullable String username, String clientId) {
        if (!pattern.contains("%c") && !pattern.contains("%u")) {
            return pattern;
        }
        String[] levels = pattern.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            // "%count" or "a%c" is literal text: only a whole level is replaced, as in Mosquitto 2
            boolean client = levels[i].equals("%c");
            if (!client && !levels[i].equals("%u")) {
                continue;
            }
            String value = client ? clientId : username;
            if (value == null || !isOneLevel(value)) {
                return null;
            }
            levels[i] = value;
        }
        return String.join("/", levels);
    }

    private static boolean isOneLevel(String value) {
        return value.indexOf('/') < 0 && value.indexOf('+') < 0 && value.indexOf('#') < 0;
    }

    @Override
    public String toString() {
        return "AclFile[" + name + ", " + size() + " rules]";
    }
}
