package io.starling.cli.client.format;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * One conversion of C's {@code strftime} as glibc does it in the C locale: what {@code -F}'s
 * {@code @X} prints ({@code @Y-@m-@d} is {@code 2026-12-07}). A character glibc does not know is
 * printed with its {@code %}, as glibc prints it ({@code @Q} gives {@code %Q}).
 */
final class Strftime {
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
            "August", "September", "October", "November", "December"};

    private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ROOT);

    private Strftime() {}

    /** {@code %c} of strftime for {@code time}. */
    static String format(char conversion, ZonedDateTime time) {
        return switch (conversion) {
            case 'a' -> DAYS[time.getDayOfWeek().getValue() - 1].substring(0, 3);
            case 'A' -> DAYS[time.getDayOfWeek().getValue() - 1];
            case 'b', 'h' -> MONTHS[time.getMonthValue() - 1].substring(0, 3);
            case 'B' -> MONTHS[time.getMonthValue() - 1];
            case 'c' -> format('a', time) + " " + format('b', time) + " " + format('e', time) + " " + format('T', time)
                    + " " + time.getYear();
            case 'C' -> two(Math.floorDiv(time.getYear(), 100));
            case 'd' -> two(time.getDayOfMonth());
            case 'D', 'x' -> format('m', time) + "/" + format('d', time) + "/" + format('y', time);
            case 'e' -> padded(time.getDayOfMonth());
            case 'F' -> time.getYear() + "-" + format('m', time) + "-" + format('d', time);
            case 'g' -> two(Math.floorMod(time.get(IsoFields.WEEK_BASED_YEAR), 100));
            case 'G' -> String.valueOf(time.get(IsoFields.WEEK_BASED_YEAR));
            case 'H' -> two(time.getHour());
            case 'I' -> two(hour12(time));
            case 'j' -> String.format(Locale.ROOT, "%03d", time.getDayOfYear());
            case 'k' -> padded(time.getHour());
            case 'l' -> padded(hour12(time));
            case 'm' -> two(time.getMonthValue());
            case 'M' -> two(time.getMinute());
            case 'n' -> "\n";
            case 'p' -> time.getHour() < 12 ? "AM" : "PM";
            case 'P' -> time.getHour() < 12 ? "am" : "pm";
            case 'r' -> format('I', time) + ":" + format('M', time) + ":" + format('S', time) + " " + format('p', time);
            case 'R' -> format('H', time) + ":" + format('M', time);
            case 's' -> String.valueOf(time.toEpochSecond());
            case 'S' -> two(time.getSecond());
            case 't' -> "\t";
            case 'T', 'X' -> format('H', time) + ":" + format('M', time) + ":" + format('S', time);
            case 'u' -> String.valueOf(time.getDayOfWeek().getValue());
            case 'U' -> two((time.getDayOfYear() - 1 + 7 - sundayBased(time)) / 7);
            case 'V' -> two(time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case 'w' -> String.valueOf(sundayBased(time));
            case 'W' -> two((time.getDayOfYear() - 1 + 7 - (time.getDayOfWeek().getValue() - 1)) / 7);
            case 'y' -> two(Math.floorMod(time.getYear(), 100));
            case 'Y' -> String.valueOf(time.getYear());
            case 'z' -> offset(time.get(ChronoField.OFFSET_SECONDS));
            case 'Z' -> zoneName(time);
            case '%' -> "%";
            default -> "%" + conversion;
        };
    }

    /** {@code %z}: {@code +hhmm} or {@code -hhmm}. */
    static String offset(int seconds) {
        int minutes = Math.abs(seconds) / 60;
        return (seconds < 0 ? "-" : "+") + two(minutes / 60) + two(minutes % 60);
    }

    /** {@code %Z}: the zone's abbreviation, UTC for UTC. */
    private static String zoneName(ZonedDateTime time) {
        String name = ZONE_NAME.format(time);
        return name.equals("Z") ? "UTC" : name;
    }

    private static int hour12(ZonedDateTime time) {
        int hour = time.getHour() % 12;
        return hour == 0 ? 12 : hour;
    }

    /** 0 for Sunday to 6 for Saturday, as C's tm_wday. */
    private static int sundayBased(ZonedDateTime time) {
        return time.getDayOfWeek().getValue() % 7;
    }

    private static String two(int value) {
        return value < 10 ? "0" + value : String.valueOf(value);
    }

    private static String padded(int value) {
        return value < 10 ? " " + value : String.valueOf(value);
    }
}
