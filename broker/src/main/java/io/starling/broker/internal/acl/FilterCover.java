package io.starling.broker.internal.acl;

/**
 * Whether one topic filter covers another: every topic name the second can match, the first
 * matches too. This is how a SUBSCRIBE filter is judged against ACL rules, which are filters
 * themselves: rule {@code a/#} covers {@code a/+/c} and {@code a/#}, rule {@code a/+} covers
 * {@code a/b} but not {@code a/#}. Wildcards of either filter match by the rules of section 4.7,
 * so a rule starting with a wildcard covers no filter whose first level is a literal starting
 * with {@code $} [MQTT-4.7.2-1].
 */
final class FilterCover {
    private FilterCover() {}

    /** Whether {@code rule} (a valid topic filter) matches every topic name {@code filter} (a valid one) can match. */
    static boolean covers(String rule, String filter) {
        if (startsWithDollar(filter) && startsWithWildcard(rule)) {
            return false;
        }
        int r = 0;
        int f = 0;
        int rn = rule.length();
        int fn = filter.length();
        while (true) {
            int rEnd = levelEnd(rule, r);
            int fEnd = levelEnd(filter, f);
            if (isLevel(rule, r, rEnd, '#')) {
                // this level and every level below it, whatever the filter has there
                return true;
            }
            if (isLevel(filter, f, fEnd, '#')) {
                // a '#' of the filter reaches any depth: only a '#' of the rule goes as far, or,
                // at the first level (which has no parent level to match), "+/#"
                return f == 0 && rule.equals("+/#");
            }
            boolean rulePlus = isLevel(rule, r, rEnd, '+');
            if (isLevel(filter, f, fEnd, '+')) {
                if (!rulePlus) {
                    return false;
                }
            } else if (!rulePlus && (rEnd - r != fEnd - f || !rule.regionMatches(r, filter, f, fEnd - f))) {
                return false;
            }
            boolean ruleDone = rEnd == rn;
            if (fEnd == fn) {
                // "a/#" also matches "a": a rule with only its '#' left covers the filter's last level
                return ruleDone || (rn - rEnd == 2 && rule.charAt(rn - 1) == '#');
            }
            if (ruleDone) {
                return false;
            }
            r = rEnd + 1;
            f = fEnd + 1;
        }
    }

    private static boolean isLevel(String s, int start, int end, char wildcard) {
        return end - start == 1 && s.charAt(start) == wildcard;
    }

    private static boolean startsWithDollar(String filter) {
        return !filter.isEmpty() && filter.charAt(0) == '$';
    }

    private static boolean startsWithWildcard(String filter) {
        return !filter.isEmpty() && (filter.charAt(0) == '+' || filter.charAt(0) == '#');
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
