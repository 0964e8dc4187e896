extension String {
    /// The text and the spaces after it that fill a column `width` characters wide, at least
    /// `gap` of them: the one column rule of the text tables (inspect, backups).
    func padded(to width: Int, gap: Int = 0) -> String {
        self + String(repeating: " ", count: max(gap, width - count))
    }
}
