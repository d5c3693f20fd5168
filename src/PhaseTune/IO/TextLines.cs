using System.Text;

namespace PhaseTune.IO;

/// <summary>Reads a UTF-8 text file as lines (LF or CRLF, optional BOM); invalid UTF-8 is an error naming the line.</summary>
public static class TextLines
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        var bytes = File.ReadAllBytes(path).AsSpan();
        if (bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[3..];
        var lines = new List<string>();
        int lineNo = 0;
        while (bytes.Length > 0)
        {
            lineNo++;
            int nl = bytes.IndexOf((byte)'\n');
            var line = nl < 0 ? bytes : bytes[..nl];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            try { lines.Add(Strict.GetString(line)); }
            catch (DecoderFallbackException) { throw new InvalidDataException($"{path}:{lineNo}: not valid UTF-8"); }
            bytes = nl < 0 ? [] : bytes[(nl + 1)..];
        }
        return lines;
    }
}
