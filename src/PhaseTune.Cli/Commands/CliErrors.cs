namespace PhaseTune.Cli.Commands;

/// <summary>Runs a command body so that any bad input ends as one line on stderr and a non-zero exit code.</summary>
public static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException
                                     or UnauthorizedAccessException or KeyNotFoundException or FormatException
                                     or InvalidOperationException)
        {
            Console.Error.WriteLine($"phasetune: error: {OneLine(e.Message)}");
            return 1;
        }
        catch (OperationCanceledException e)
        {
            Console.Error.WriteLine($"phasetune: {OneLine(e.Message)}");
            return 130;
        }
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
