package dev.lbkit.all.reliability;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long fault run: 200 clients for 30 s per fault (about 3 minutes), not part of the default
 * build. Run it with {@code ./mvnw -pl harness -am test -Dgroups=soak -DexcludedGroups=
 * -Dtest=SoakRun -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dlbkit.soak.clients} and {@code
 * -Dlbkit.soak.seconds} change the size, {@code -Dlbkit.soak.faults=RESETS,KILLED} picks faults.
 */
@Tag("soak")
class SoakRun {
    static final int CLIENTS = Integer.getInteger("lbkit.soak.clients", 200);
    static final Duration DURATION =
            Duration.ofSeconds(Integer.getInteger("lbkit.soak.seconds", 30));

    @BeforeAll
    static void warmUp() throws Exception {
        FaultLoad.run(FaultLoad.Fault.RESETS, 4, Duration.ofSeconds(1));
    }

    @Test
    void everyFaultUnderSoakLoad() throws Exception {
        String only = System.getProperty("lbkit.soak.faults", "");
        for (FaultLoad.Fault fault : FaultLoad.Fault.values()) {
            if (!only.isBlank() && !java.util.List.of(only.split(",")).contains(fault.name())) {
                continue;
            }
            FaultsUnderLoadTest.check(FaultLoad.run(fault, CLIENTS, DURATION));
        }
    }
}
