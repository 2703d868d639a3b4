package dev.lbkit.episodes.sourcehash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.address;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

class HashKeysTest {

    @Test
    void sourceKeyIsTheIpv4AddressAsAnInteger() {
        assertThat(HashKeys.source(address("127.0.1.1")))
                .as("127.0.1.1 read big-endian")
                .isEqualTo(0x7F000101);
    }

    @Test
    void sourceKeyOfIpv4IsTheBigEndianAddressForHighAndLowBytes() throws Exception {
        int[][] addresses = {
            {0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 0, 7}, {192, 168, 200, 1}, {128, 1, 255, 0}
        };
        for (int[] a : addresses) {
            int expected = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
            java.net.InetAddress client =
                    java.net.InetAddress.getByAddress(
                            new byte[] {(byte) a[0], (byte) a[1], (byte) a[2], (byte) a[3]});
            assertThat(HashKeys.source(client))
                    .as("key of " + client.getHostAddress() + " read big-endian")
                    .isEqualTo(expected);
        }
    }

    @Test
    void sourceKeyOfIpv6IsTheXorOfItsWords() {
        assertThat(HashKeys.source(address("2001:db8::1")))
                .as("0x20010db8 ^ 0 ^ 0 ^ 1")
                .isEqualTo(0x20010db9);
    }

    @Test
    void sourceKeyOfAV4MappedClientDiffersFromThePlainIpv4Key() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 1, 1};
        Inet6Address client = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(HashKeys.source(client))
                .as("::ffff:127.0.1.1 hashes as 0x0000FFFF ^ 0x7F000101")
                .isEqualTo(0x0000FFFF ^ 0x7F000101);
    }
}
