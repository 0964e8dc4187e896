/// jemalloc's size classes on x86-64 (what `zmalloc_size` reports for a request of `n` bytes):
/// 8, then multiples of 16 up to 128, then four classes per doubling (160, 192, 224, 256, 320, ...).
public func jemallocSize(_ n: Int) -> Int {
    if n <= 8 { return 8 }
    if n <= 128 { return (n + 15) & ~15 }
    var group = 128
    while group * 2 < n { group *= 2 }
    let step = group / 4
    return (n + step - 1) / step * step
}
