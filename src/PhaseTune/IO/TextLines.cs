using System.Text;

namespace PhaseTune.IO;

/// <summary>Reads a UTF-8 text file as lines (LF or CRLF, optional BOM); invalid UTF-8 is an error naming the line.
/// <see cref="Stream"/> reads lazily, one line at a time, so a million-line input never sits in memory whole.</summary>
public static class TextLines
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<string> Read(string path) => Stream(path).ToList();

    public static IEnumerable<string> Stream(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        return Lines(path);
    }

    static IEnumerable<string> Lines(string path)
    {
        using var s = new BufferedStream(File.OpenRead(path), 1 << 16);
        var line = new MemoryStream();
        int lineNo = 0, b;
        bool first = true;
        string Decode()
        {
            var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
            if (first && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[3..];
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
            first = false;
            try { return Strict.GetString(bytes); }
            catch (DecoderFallbackException) { throw new InvalidDataException($"{path}:{lineNo}: not valid UTF-8"); }
        }
        while ((b = s.ReadByte()) >= 0)
        {
            if (b != '\n') { line.WriteByte((byte)b); continue; }
            lineNo++;
            yield return Decode();
            line.SetLength(0);
        }
        if (line.Length > 0) { lineNo++; yield return Decode(); }
    }
}
