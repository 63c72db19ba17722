package io.starling.cli.client.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * strftime's conversions against glibc's own: each line below is what {@code TZ=UTC LC_ALL=C date
 * -d @SECONDS +"SECONDS a=%a A=%A ..."} (GNU date, which calls glibc's strftime) printed, for a
 * Monday in December, new year's day on a Friday (ISO week 53 of the year before) and on a
 * Thursday, and the last second of a leap year.
 */
class StrftimeTest {
    private static final String CONVERSIONS = "aAbBcCdDeFgGhHIjklmMpPrRsSTuUVwWxXyYzZQE";

    @ParameterizedTest
    @ValueSource(strings = {
            "1796656697 a=Mon A=Monday b=Dec B=December c=Mon Dec  7 15:18:17 2026 C=20 d=07 D=12/07/26 e= 7 F=2026-12-07"
                    + " g=26 G=2026 h=Dec H=15 I=03 j=341 k=15 l= 3 m=12 M=18 p=PM P=pm r=03:18:17 PM R=15:18 s=1796656697"
                    + " S=17 T=15:18:17 u=1 U=49 V=50 w=1 W=49 x=12/07/26 X=15:18:17 y=26 Y=2026 z=+0000 Z=UTC Q=%Q E=%E",
            "1798761600 a=Fri A=Friday b=Jan B=January c=Fri Jan  1 00:00:00 2027 C=20 d=01 D=01/01/27 e= 1 F=2027-01-01"
                    + " g=26 G=2026 h=Jan H=00 I=12 j=001 k= 0 l=12 m=01 M=00 p=AM P=am r=12:00:00 AM R=00:00 s=1798761600"
                    + " S=00 T=00:00:00 u=5 U=00 V=53 w=5 W=00 x=01/01/27 X=00:00:00 y=27 Y=2027 z=+0000 Z=UTC Q=%Q E=%E",
            "1767225600 a=Thu A=Thursday b=Jan B=January c=Thu Jan  1 00:00:00 2026 C=20 d=01 D=01/01/26 e= 1 F=2026-01-01"
                    + " g=26 G=2026 h=Jan H=00 I=12 j=001 k= 0 l=12 m=01 M=00 p=AM P=am r=12:00:00 AM R=00:00 s=1767225600"
                    + " S=00 T=00:00:00 u=4 U=00 V=01 w=4 W=00 x=01/01/26 X=00:00:00 y=26 Y=2026 z=+0000 Z=UTC Q=%Q E=%E",
            "1609459199 a=Thu A=Thursday b=Dec B=December c=Thu Dec 31 23:59:59 2020 C=20 d=31 D=12/31/20 e=31 F=2020-12-31"
                    + " g=20 G=2020 h=Dec H=23 I=11 j=366 k=23 l=11 m=12 M=59 p=PM P=pm r=11:59:59 PM R=23:59 s=1609459199"
                    + " S=59 T=23:59:59 u=4 U=52 V=53 w=4 W=52 x=12/31/20 X=23:59:59 y=20 Y=2020 z=+0000 Z=UTC Q=%Q E=%E"})
    @DisplayName("every conversion as glibc prints it in the C locale; an unknown one keeps its %")
    void asGlibc(String glibc) {
        long seconds = Long.parseLong(glibc.substring(0, glibc.indexOf(' ')));
        ZonedDateTime time = Instant.ofEpochSecond(seconds).atZone(ZoneId.of("UTC"));

        StringBuilder ours = new StringBuilder().append(seconds);
        for (char c : CONVERSIONS.toCharArray()) {
            ours.append(' ').append(c).append('=').append(Strftime.format(c, time));
        }

        assertThat(ours.toString()).isEqualTo(glibc);
    }

    @Test
    @DisplayName("%z and %Z follow the zone: +0100 CET, -0330 NST (as TZ=Europe/Berlin and TZ=America/St_Johns date print them)")
    void zones() {
        Instant instant = Instant.ofEpochSecond(1_796_656_697L);
        ZonedDateTime berlin = instant.atZone(ZoneId.of("Europe/Berlin"));
        ZonedDateTime stJohns = instant.atZone(ZoneId.of("America/St_Johns"));

        assertThat(Strftime.format('z', berlin) + " " + Strftime.format('Z', berlin)).isEqualTo("+0100 CET");
        assertThat(Strftime.format('z', stJohns) + " " + Strftime.format('Z', stJohns)).isEqualTo("-0330 NST");
        assertThat(Strftime.format('n', berlin) + Strftime.format('t', berlin) + Strftime.format('%', berlin)).isEqualTo("\n\t%");
    }
}
