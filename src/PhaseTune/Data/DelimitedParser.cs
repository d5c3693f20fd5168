using System.Text;

namespace PhaseTune.Data;

/// <summary>Strict RFC 4180 records: fields split by a delimiter; a field that starts with a double quote runs to the
/// matching closing quote and may hold delimiters, newlines and doubled quotes. A quote never closed, or anything but a
/// delimiter or line end after a closing quote, is an error naming the line — a lenient reader would silently merge
/// rows into one. LF or CRLF line ends. Yields each record with the line it starts on.</summary>
public static class DelimitedParser
{
    public static IEnumerable<(int Line, string[] Fields)> Records(TextReader reader, char delimiter, string source)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1, quoteLine = 0;
        bool quoted = false, closed = false, any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else (quoted, closed) = (false, true);
                }
                else { if (ch == '\n') line++; field.Append(ch); }
                continue;
            }
            bool lineEnd = ch == '\n' || (ch == '\r' && reader.Peek() == '\n');
            if (closed && ch != delimiter && !lineEnd)
                throw new InvalidDataException($"{source}:{line}: '{ch}' after the closing quote of a field opened on line {quoteLine} " +
                    "(a quote inside a quoted field is written twice)");
            closed = false;
            if (ch == '"' && field.Length == 0) (quoted, quoteLine) = (true, line);
            else if (ch == delimiter) { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r' && lineEnd) { }
            else if (ch == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                yield return (start, fields.ToArray());
                fields.Clear(); any = false;
                start = ++line;
            }
            else field.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"{source}:{quoteLine}: unterminated quoted field (no closing quote before the end of the file)");
        if (any) { fields.Add(field.ToString()); yield return (start, fields.ToArray()); }
    }
}
