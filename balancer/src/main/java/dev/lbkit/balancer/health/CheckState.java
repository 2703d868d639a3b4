package dev.lbkit.balancer.health;

/**
 * One server's health counter, with HAProxy's rules: health runs from 0 to rise+fall-1 and the
 * server is UP while health >= rise. A server starts UP at health = rise, so a single failure at
 * startup takes it DOWN; a pass that reaches rise jumps to the top, so from then on it takes {@code
 * fall} consecutive failures to go DOWN and {@code rise} consecutive passes to come back. Not
 * thread-safe: its checker reads and writes it under the backend's lock (see HealthChecks).
 */
public final class CheckState {
    private final int rise;
    private final int fall;
    private int health;
    private boolean up = true;
    private long failedChecks;
    private long downTransitions;

    public CheckState(int rise, int fall) {
        this(rise, fall, rise);
    }

    /**
     * A state that starts UP at health {@code startHealth}: {@code rise} up to HAProxy 3.2, 0 on
     * 3.4 (measured: "UP -1/3" before the first check with rise 2 and fall 3, "UP 0/3" after one
     * pass), where a server has to pass {@code rise} checks before a failure leaves it UP.
     */
    public CheckState(int rise, int fall, int startHealth) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException(
                    "rise and fall must be at least 1, got rise " + rise + " fall " + fall);
        }
        if (startHealth < 0 || startHealth > rise) {
            throw new IllegalArgumentException(
                    "start health must be between 0 and rise " + rise + ", got " + startHealth);
        }
        this.rise = rise;
        this.fall = fall;
        this.health = startHealth;
    }

    /** Records a passed check; returns true when this pass brings the server UP. */
    public boolean pass() {
        if (health < top()) {
            health++;
            if (health >= rise) {
                health = top();
            }
        }
        if (!up && health >= rise) {
            up = true;
            return true;
        }
        return false;
    }

    /**
     * Records a failed check; returns true when this failure takes the server DOWN. Only failures
     * while the server is UP count in {@code chkfail}, as in HAProxy (HealthCheckParityTest).
     */
    public boolean fail() {
        if (up) {
            failedChecks++;
        }
        if (health > rise) {
            health--;
            return false;
        }
        health = 0;
        if (up) {
            up = false;
            downTransitions++;
            return true;
        }
        return false;
    }

    /**
     * The runtime API's {@code set server ... health up|stopping|down}: health to the top (UP and
     * stopping) or to 0 (DOWN). Going DOWN from UP counts in {@code chkdown}.
     */
    public void force(boolean toUp) {
        if (toUp) {
            health = top();
            up = true;
        } else {
            health = 0;
            if (up) {
                up = false;
                downTransitions++;
            }
        }
    }

    /**
     * The server enters maintenance: checks pause, and going there from UP (stopping and drained
     * included) counts in {@code chkdown}, as on HAProxy 2.6 to 3.4.
     */
    public void enterMaintenance() {
        if (up) {
            downTransitions++;
        }
    }

    /**
     * The server leaves maintenance: UP at health {@code rise}, whatever it was before, checks
     * going on from there (so one failure takes it DOWN again).
     */
    public void leaveMaintenance() {
        health = rise;
        up = true;
    }

    public boolean up() {
        return up;
    }

    public int health() {
        return health;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    /** Failed checks while UP so far (HAProxy's {@code chkfail}). */
    public long failedChecks() {
        return failedChecks;
    }

    /** UP to DOWN transitions so far (HAProxy's {@code chkdown}). */
    public long downTransitions() {
        return downTransitions;
    }

    /**
     * The status as {@code show stat} prints it: "UP", "DOWN", or a transitional "UP 1/3" (going
     * down: failures still allowed out of fall) / "DOWN 1/2" (coming up: passes so far out of
     * rise).
     */
    public String status() {
        if (up) {
            return health == top() ? "UP" : "UP " + (health - rise + 1) + "/" + fall;
        }
        return health == 0 ? "DOWN" : "DOWN " + health + "/" + rise;
    }

    private int top() {
        return rise + fall - 1;
    }
}
