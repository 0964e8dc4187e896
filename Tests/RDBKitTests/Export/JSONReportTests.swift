import XCTest
@testable import RDBKit

/// The one builder of the reports' JSON (inspect, backups, ...): separators, nesting, escapes
/// and binary names, then a catalog as `backups --json` prints it.
final class JSONReportTests: XCTestCase {
    func testMembersAndElementsAreSeparatedAtEveryDepth() {
        let r = JSONReport()
        r.object {
            r.field("path", "a \"b\"\\c")
            r.field("valid", true)
            r.field("big", UInt64.max)
            r.field("negative", -3)
            r.name("empty")
            r.object {}
            r.name("nested")
            r.object {
                r.name("list")
                r.array {
                    r.int(1)
                    r.object { r.field("x", 2) }
                    r.array {}
                    r.null()
                }
                r.field("score", Double.infinity)
            }
            r.field("binary", [0xFF, 0x00])
        }
        XCTAssertEqual(r.text, #"{"path":"a \"b\"\\c","valid":true,"big":18446744073709551615,"negative":-3,"empty":{},"#
                       + #""nested":{"list":[1,{"x":2},[],null],"score":"inf"},"binary":{"base64":"/wA="}}"#)
    }

    func testTheCatalogsLinesKeepTheirShape() {
        var catalog = BackupCatalog(directory: "/b")
        catalog.points = [
            RestorePoint(path: "/b/dump-1.rdb", kind: .snapshot, first: 100, last: 100, bytes: 10, files: 1, keys: 2),
            RestorePoint(path: "/b/set-2", kind: .chain, first: 200, last: 260, bytes: 30, files: 3, keys: 4, commands: 5),
            RestorePoint(path: "/b/dump-3.rdb", kind: .snapshot, error: RDBError(.corrupt("bad"), offset: 9)),
        ]
        catalog.interrupted = ["/b/set-4.tmp-1"]
        let error = RDBError(.corrupt("bad"), offset: 9).description
        XCTAssertEqual(catalog.jsonLines, [
            #"{"path":"/b/dump-1.rdb","kind":"snapshot","valid":true,"first":100,"last":100,"files":1,"bytes":10,"keys":2,"commands":0}"#,
            #"{"path":"/b/set-2","kind":"chain","valid":true,"first":200,"last":260,"files":3,"bytes":30,"keys":4,"commands":5}"#,
            #"{"path":"/b/dump-3.rdb","kind":"snapshot","valid":false,"files":0,"bytes":0,"keys":0,"commands":0,"error":"\#(error)"}"#,
            #"{"gap":{"from":100,"to":200}}"#,
            #"{"interrupted":"/b/set-4.tmp-1"}"#,
        ])
    }
}
