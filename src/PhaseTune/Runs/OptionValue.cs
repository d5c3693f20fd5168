namespace PhaseTune.Runs;

/// <summary>What a <see cref="ConfigOption"/> takes: a number, a word, a comma-separated list, or nothing (a switch
/// that sets its keys to true or to false).</summary>
public enum OptionValue { Integer, Number, Word, List, SetsTrue, SetsFalse }
