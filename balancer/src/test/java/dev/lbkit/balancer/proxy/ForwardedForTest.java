package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.ForwardFor;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/**
 * The address text and the combination rules of option forwardfor (the side-by-side test is
 * ForwardForParityTest).
 */
class ForwardedForTest {

    @Test
    void addressesAreWrittenAsInetNtopWritesThem() throws Exception {
        assertThat(ForwardedFor.text(InetAddress.getByName("203.0.113.9")))
                .isEqualTo("203.0.113.9");
        assertThat(ForwardedFor.text(InetAddress.getByName("2001:db8:0:0:0:0:0:1")))
                .isEqualTo("2001:db8::1");
        assertThat(ForwardedFor.text(InetAddress.getByName("2001:db8:0:0:1:0:0:5")))
                .as("the first of two equal runs")
                .isEqualTo("2001:db8::1:0:0:5");
        assertThat(ForwardedFor.text(InetAddress.getByName("2001:db8:0:1:0:0:0:5")))
                .as("the longest run")
                .isEqualTo("2001:db8:0:1::5");
        assertThat(ForwardedFor.text(InetAddress.getByName("2001:db8:1:2:3:4:0:5")))
                .as("one zero group stays")
                .isEqualTo("2001:db8:1:2:3:4:0:5");
        assertThat(ForwardedFor.text(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(ForwardedFor.text(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(ForwardedFor.text(InetAddress.getByName("fe80::"))).isEqualTo("fe80::");
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        assertThat(ForwardedFor.text(Inet6Address.getByAddress(null, mapped, -1)))
                .isEqualTo("::ffff:127.0.0.1");
        byte[] compatible = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3};
        assertThat(ForwardedFor.text(Inet6Address.getByAddress(null, compatible, -1)))
                .isEqualTo("::10.1.2.3");
    }

    @Test
    void networksMatchTheirOwnFamilyOnly() throws Exception {
        ForwardFor.Network v4 = ForwardFor.Network.parse("127.0.0.0/8");
        ForwardFor.Network dotted = ForwardFor.Network.parse("203.0.113.0/255.255.255.0");
        ForwardFor.Network mapped = ForwardFor.Network.parse("::ffff:127.0.0.0/104");
        assertThat(v4.contains(InetAddress.getByName("127.9.9.9"))).isTrue();
        assertThat(v4.contains(InetAddress.getByName("128.0.0.1"))).isFalse();
        assertThat(dotted).isEqualTo(ForwardFor.Network.parse("203.0.113.0/24"));
        byte[] mappedClient = {
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1
        };
        InetAddress v4MappedClient = Inet6Address.getByAddress(null, mappedClient, -1);
        assertThat(v4.contains(v4MappedClient))
                .as("an IPv4 network never holds a v4-mapped client")
                .isFalse();
        assertThat(mapped.contains(v4MappedClient)).isTrue();
        assertThat(mapped.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(ForwardFor.Network.parse("300.1.1.1")).isNull();
        assertThat(ForwardFor.Network.parse("10.0.0.0/33")).isNull();
        assertThat(ForwardFor.Network.parse("10.0.0.0/255.0.255.0"))
                .as("not a contiguous mask")
                .isNull();
        assertThat(ForwardFor.Network.parse("example.com")).as("never a name to look up").isNull();
    }

    @Test
    void ifNoneHoldsOnlyWhenEverySectionWithTheOptionSaysIt() throws Exception {
        InetAddress client = InetAddress.getByName("198.51.100.7");
        HttpFields withHeader = HttpFields.build().add("X-Forwarded-For", "192.0.2.1");
        ForwardFor ifNone = new ForwardFor(ForwardFor.DEFAULT_HEADER, null, true);
        assertThat(ForwardedFor.of(ifNone, null).valueFor(client, withHeader)).isNull();
        assertThat(ForwardedFor.of(ifNone, ForwardFor.plain()).valueFor(client, withHeader))
                .isEqualTo("198.51.100.7");
        assertThat(ForwardedFor.of(ForwardFor.plain(), ifNone).valueFor(client, withHeader))
                .isEqualTo("198.51.100.7");
        assertThat(ForwardedFor.of(null, null)).isNull();
        ForwardFor named = new ForwardFor("X-F", null, false);
        assertThat(ForwardedFor.of(named, new ForwardFor("X-B", null, false)).header())
                .isEqualTo("X-B");
        assertThat(ForwardedFor.of(named, null).header()).isEqualTo("X-F");
        ForwardFor except =
                new ForwardFor(
                        ForwardFor.DEFAULT_HEADER,
                        ForwardFor.Network.parse("198.51.100.0/24"),
                        false);
        assertThat(ForwardedFor.of(ForwardFor.plain(), except).valueFor(client, HttpFields.EMPTY))
                .isNull();
        assertThat(ForwardedFor.of(except, ForwardFor.plain()).valueFor(client, HttpFields.EMPTY))
                .isNull();
    }
}
