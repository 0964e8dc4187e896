/// Module values (RDB_TYPE_MODULE_2) and module aux data: a 64-bit module type id, then the
/// module's own saves, each behind an RDB_MODULE_OPCODE_*, up to RDB_MODULE_OPCODE_EOF. The
/// opcodes let any reader walk a module's data without the module; the bytes are kept as they are.
extension RDBParser {
    func readModuleValue() throws(RDBError) -> ModuleValue {
        let typeID = ModuleTypeID(raw: try input.readLength())
        let payload = try captureModulePayload(typeID)
        return ModuleValue(typeID: typeID, payload: payload)
    }

    /// MODULE_AUX: module id, then the `when` field saved with its own UINT opcode, then the data.
    func readModuleAux() throws(RDBError) -> ModuleAux {
        let typeID = ModuleTypeID(raw: try input.readLength())
        let opcodeAt = input.offset
        let whenOpcode = try input.readLength()
        guard whenOpcode == RDBModuleOpcode.RDB_MODULE_OPCODE_UINT else {
            throw RDBError(.corrupt("bad when_opcode \(whenOpcode) in module aux of \(typeID.name)"), offset: opcodeAt)
        }
        let when = try input.readLength()
        let payload = try captureModulePayload(typeID)
        return ModuleAux(typeID: typeID, when: when, payload: payload)
    }

    /// RDB_OPCODE_KEY_META (keymeta.c, Redis 8.6+): a count of classes, then per class a 32-bit
    /// class spec (raw, little-endian) and the class's data as module opcodes through EOF. It comes
    /// right before the type byte of the key it belongs to.
    func readKeyMetadata(at opcodeOffset: Int64) throws(RDBError) -> [KeyMetadata] {
        let count = try input.readLength()
        // keymeta.h: KEY_META_MAX_NUM_MODULES; anything near 2^64 is a damaged count.
        guard count <= 64 else {
            throw RDBError(.corrupt("key metadata claims \(count) classes"), offset: opcodeOffset)
        }
        var classes: [KeyMetadata] = []
        for _ in 0..<count {
            let spec = try input.readUInt32LE()
            let payload = try captureModulePayload(what: "key metadata")
            classes.append(KeyMetadata(classSpec: spec, payload: payload))
        }
        return classes
    }

    /// VALKEY_RDB_OPCODE_SLOT_IMPORT (Valkey 9): a job name, then slot ranges as pairs of lengths.
    func readSlotImport() throws(RDBError) -> SlotImport {
        let name = try input.readString(lzfInto: valueScratch).array
        let count = try input.readLength()
        var ranges: [(from: UInt64, to: UInt64)] = []
        for _ in 0..<count {
            ranges.append((try input.readLength(), try input.readLength()))
        }
        return SlotImport(jobName: name, slotRanges: ranges)
    }

    private func captureModulePayload(_ typeID: ModuleTypeID) throws(RDBError) -> [UInt8] {
        try captureModulePayload(what: "data of module \(typeID.name)")
    }

    private func captureModulePayload(what: String) throws(RDBError) -> [UInt8] {
        input.beginCapture(into: captureScratch)
        defer { input.endCapture() }
        while true {
            let at = input.offset
            let opcode = try input.readLength()
            switch opcode {
            case RDBModuleOpcode.RDB_MODULE_OPCODE_EOF:
                input.endCapture()
                return [UInt8](captureScratch.bytes)
            case RDBModuleOpcode.RDB_MODULE_OPCODE_SINT, RDBModuleOpcode.RDB_MODULE_OPCODE_UINT:
                _ = try input.readLength()
            case RDBModuleOpcode.RDB_MODULE_OPCODE_FLOAT:
                _ = try input.take(4)
            case RDBModuleOpcode.RDB_MODULE_OPCODE_DOUBLE:
                _ = try input.take(8)
            case RDBModuleOpcode.RDB_MODULE_OPCODE_STRING:
                try input.skipString()
            default:
                throw RDBError(.corrupt("unknown module opcode \(opcode) in \(what)"), offset: at)
            }
        }
    }
}
