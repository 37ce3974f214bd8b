// Conformance: the imp's blob (README "The imp API, name by name"): Squirrel's stream methods plus
// writestring, readstring and a tostring that gives the bytes (imp API reference, blob).

class BlobTest extends ImpTestCase {
    function testWriteStringAndToString() {
        local b = blob();
        b.writestring("abc\x00def");
        this.assertEqual(7, b.len());
        this.assertEqual(7, b.tell());
        this.assertEqual("abc\x00def", b.tostring());
        this.assertEqual(7, b.tostring().len());
    }

    function testReadString() {
        local b = blob();
        b.writestring("hello world");
        b.seek(0);
        this.assertEqual("hello", b.readstring(5));
        this.assertEqual(5, b.tell());
        this.assertEqual(" world", b.readstring(100));  // at most what is left
        this.assertTrue(b.eos());
        this.assertEqual("", b.readstring(1));
    }

    function testNumbersAndPositions() {
        local b = blob(8);
        this.assertEqual(8, b.len());
        b.writen(0x01020304, 'i');
        b.writen(0x0506, 'w');
        b.seek(0);
        this.assertEqual(0x01020304, b.readn('i'));
        this.assertEqual(0x0506, b.readn('w'));
        b.seek(-2, 'e');
        this.assertEqual(6, b.tell());
        b.seek(0, 'b');
        b.swap4();
        this.assertEqual(0x04030201, b.readn('i'));
        b.seek(0);
        b.swap2();
        this.assertEqual(0x0102, b.readn('w'));
        b.resize(2);
        this.assertEqual(2, b.len());
        b.flush();
    }

    function testBlobsInsideBlobs() {
        local inner = blob();
        inner.writestring("xyz");
        local outer = blob();
        outer.writeblob(inner);
        outer.seek(1);
        local part = outer.readblob(2);
        this.assertEqual("yz", part.tostring());
    }

    function testDeepEqualComparesTheBytes() {
        local a = blob(), b = blob(), c = blob();
        a.writestring("same");
        b.writestring("same");
        c.writestring("diff");
        this.assertDeepEqual(a, b);
        local caught = null;
        try { this.assertDeepEqual(a, c); } catch (e) { caught = e; }
        this.assertEqual("Blobs are the same length (4 bytes), but the contents are not identical.", caught);
    }

    function testWrongArguments() {
        local b = blob();
        this.assertThrowsError(b.writestring, b, [5]);
        this.assertThrowsError(b.readstring, b, [-1]);
    }
}
