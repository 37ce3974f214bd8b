// Conformance: crypto on a device (README "The imp API, name by name"). Expected digests: the
// published test vectors named at each assertion.

class CryptoDeviceTest extends ImpTestCase {
    function hex(b) {
        local s = "";
        foreach (byte in b) s += format("%02x", byte);
        return s;
    }

    function testDigestsOfAbc() {
        // FIPS 180-2 appendix examples (message "abc")
        this.assertEqual("a9993e364706816aba3e25717850c26c9cd0d89d", hex(crypto.sha1("abc")));
        this.assertEqual("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(crypto.sha256("abc")));
        this.assertEqual("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", hex(crypto.sha512("abc")));
        this.assertEqual("blob", typeof crypto.sha256("abc"));
    }

    function testHmacs() {
        // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256, HMAC-SHA512)
        local data = "what do ya want for nothing?";
        this.assertEqual("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", hex(crypto.hmacsha1(data, "Jefe")));
        this.assertEqual("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            hex(crypto.hmacsha256(data, "Jefe")));
        this.assertEqual("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737", hex(crypto.hmacsha512(data, "Jefe")));
    }

    function testBlobsAsInput() {
        local b = blob();
        b.writestring("abc");
        this.assertEqual(hex(crypto.sha256("abc")), hex(crypto.sha256(b)));
        local key = blob();
        key.writestring("Jefe");
        this.assertEqual(hex(crypto.hmacsha256("x", "Jefe")), hex(crypto.hmacsha256("x", key)));
        this.assertThrowsError(crypto.sha256, crypto, [12]);
    }

    function testEquals() {
        this.assertTrue(crypto.equals("same", "same"));
        this.assertTrue(!crypto.equals("same", "sane"));
        this.assertTrue(crypto.equals(crypto.sha256("a"), crypto.sha256("a")));
        this.assertTrue(!crypto.equals(crypto.sha256("a"), crypto.sha256("b")));
    }
}
