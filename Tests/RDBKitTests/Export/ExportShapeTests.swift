import Foundation
import XCTest
@testable import RDBKit

/// `ExportShape` is the schema's one statement of how each type's value looks: every key every
/// fixture exports has its type's shape, and the importer refuses a value of another shape in
/// the shape's own words.
final class ExportShapeTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try scratchDirectory("shapes")
    }

    private func isString(_ v: JSONValue?) -> Bool {
        switch v {
        case .string?: return true
        case .object(let members)? where members.count == 1: return v?[ExportField.base64] != nil
        default: return false
        }
    }

    private func isPairs(_ v: JSONValue?, _ pair: ExportPair) -> Bool {
        guard case .array(let items)? = v else { return false }
        return items.allSatisfy { item in
            guard case .array(let two) = item, two.count == 2 else { return false }
            switch pair {
            case .memberScore: return isString(two[0]) && (two[1].double.map { !$0.isNaN } ?? false)
            case .indexElement: return two[0].uint64 != nil && isString(two[1])
            case .fieldValue: return isString(two[0]) && isString(two[1])
            case .fieldExpiry: return isString(two[0]) && two[1].int64 != nil
            }
        }
    }

    private func has(_ shape: ExportShape, _ record: JSONValue) -> Bool {
        let value = record[ExportField.value]
        switch shape {
        case .string: return isString(value)
        case .strings:
            guard case .array(let items)? = value else { return false }
            return items.allSatisfy(isString)
        case .pairs(let pair): return isPairs(value, pair)
        case .fieldMap:
            if case .object(let members)? = value { return members.allSatisfy { isString($0.value) } }
            return isPairs(value, .fieldValue)
        case .stream:
            guard case .array(let entries)? = value?[ExportField.entries] else { return false }
            return entries.allSatisfy { isPairs($0[ExportField.fields], .fieldValue) && $0[ExportField.id] != nil }
                && value?[ExportField.lastID] != nil && value?[ExportField.groups] != nil
        case .module:
            return value?[ExportField.module] != nil && value?[ExportField.encver]?.uint64 != nil && isString(value?[ExportField.payload])
        }
    }

    func testEveryExportedKeyHasItsTypesShape() throws {
        var seen = Set<String>()
        for dump in FixturePaths.allDumps() {
            let output = scratch.appendingPathComponent("keys.jsonl").path
            _ = try Export.run(path: dump.path, outputPath: output, format: .jsonl, withMeta: false)
            for line in try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n") {
                let record = try JSONParser.parse(Array(line.utf8))
                guard case .string(let name)? = record[ExportField.type],
                      let type = RedisType(rawValue: String(decoding: name, as: UTF8.self)) else { return XCTFail("no type: \(line)") }
                XCTAssertTrue(has(ExportShape.of(type), record), "\(dump.lastPathComponent): \(type) is not \(ExportShape.of(type)): \(line.prefix(300))")
                seen.insert(type.rawValue)
            }
        }
        XCTAssertEqual(seen, Set(RedisType.allCases.map(\.rawValue)), "the fixtures hold every type")
    }

    func testTheImporterRefusesAnotherShapeInTheShapesWords() throws {
        for type in RedisType.allCases where ExportShape.of(type) != .string {
            let input = scratch.appendingPathComponent("\(type).jsonl")
            try Data(#"{"db":0,"key":"k","type":"\#(type.rawValue)","value":[["a"]]}"#.utf8).write(to: input)
            let importer = JSONImport(source: try openInput(path: input.path))
            XCTAssertThrowsError(try importer.next(), "\(type)") { error in
                let shape = ExportShape.of(type)
                let words: String
                switch shape {
                case .pairs(let pair): words = pair.rawValue
                case .fieldMap: words = ExportPair.fieldValue.rawValue
                case .strings: words = "a \(type) element"
                default: words = "\(shape)"
                }
                XCTAssertTrue("\(error)".contains(words), "\(type): \(error)")
            }
        }
    }
}
