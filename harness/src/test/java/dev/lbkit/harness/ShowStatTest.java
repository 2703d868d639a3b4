package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading {@code show stat}'s CSV, and the state part that side-by-side runs compare. */
class ShowStatTest {
    private static final String CSV =
            "# pxname,svname,scur,status,weight,act,bck,chkdown,lastchg,lbtot,check_health,\n"
                    + "fe,FRONTEND,0,OPEN,,,,,,,,\n"
                    + "be,s1,1,NOLB,3,1,0,,12,40,,\n"
                    + "be,s2,0,DOWN,1,1,0,2,5,7,0,\n"
                    + "be,BACKEND,1,UP,0,0,0,1,99,47,,\n";

    @Test
    void statesKeepEveryServerAndBackendRowWithoutTheClockColumns() {
        assertThat(ShowStat.states(CSV))
                .isEqualTo(
                        "be/s1 status=NOLB weight=3 act=1 bck=0 lbtot=40 chkdown=\n"
                                + "be/s2 status=DOWN weight=1 act=1 bck=0 lbtot=7 chkdown=2\n"
                                + "be/BACKEND status=UP weight=0 act=0 bck=0 lbtot=47 chkdown=1\n");
    }

    @Test
    void columnsOfTheServerRowsAsTextOrNumbers() {
        assertThat(ShowStat.text(CSV, "be", "check_health")).isEqualTo(Map.of("s1", "", "s2", "0"));
        assertThat(ShowStat.column(CSV, "be", "scur"))
                .containsExactly(Map.entry("s1", 1), Map.entry("s2", 0));
        assertThatThrownBy(() -> ShowStat.column("Unknown command\n", "be", "scur"))
                .hasMessageContaining("not a 'show stat' answer");
    }

    @Test
    void anEventRunComparesOnlyTheStatesOfShowStat() {
        String later = CSV.replace(",12,40,", ",13,40,");
        assertThat(EventRun.comparable("show stat", later))
                .isEqualTo(EventRun.comparable("show stat", CSV));
        assertThat(EventRun.comparable("show stat", CSV.replace("NOLB", "DRAIN")))
                .isNotEqualTo(EventRun.comparable("show stat", CSV));
        assertThat(EventRun.comparable("get weight be/s1", "3 (initial 3)\n\n"))
                .isEqualTo("3 (initial 3)\n\n");
    }
}
