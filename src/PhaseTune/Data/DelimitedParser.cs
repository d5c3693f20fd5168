using System.Text;

namespace PhaseTune.Data;

/// <summary>RFC 4180 records: fields split by a delimiter, double-quoted fields may hold delimiters, newlines
/// and doubled quotes. Yields each record with the line it starts on.</summary>
public static class DelimitedParser
{
    public static IEnumerable<(int Line, string[] Fields)> Records(TextReader reader, char delimiter, string source)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1;
        bool quoted = false, any = false;
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
                    else quoted = false;
                }
                else { if (ch == '\n') line++; field.Append(ch); }
                continue;
            }
            if (ch == '"' && field.Length == 0) quoted = true;
            else if (ch == delimiter) { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r' && reader.Peek() == '\n') { }
            else if (ch == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                yield return (start, fields.ToArray());
                fields.Clear(); any = false;
                start = ++line;
            }
            else field.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"{source}:{start}: unterminated quoted field");
        if (any) { fields.Add(field.ToString()); yield return (start, fields.ToArray()); }
    }
}
