<#
  Intune Remediations detection script for esr-doctor.

  Runs `esr-doctor check --format intune` on the device and passes on its one line and its exit
  code: 1 when Edge sync or Windows settings roaming needs fixing on this device or its tenant,
  0 otherwise. Intune shows the last line of output in the portal (at most 2,048 characters).

  esr-doctor.exe must already be on the device (deploy it as a Win32 app); set $Exe to where.
  Run as SYSTEM (the default) or with the logged-on credentials: as SYSTEM it reads the Edge
  profile of the user who used Edge last, and says dsregcmd's user state is not available.
  It never prompts and never signs in to the tenant (tenant checks need an admin run).
#>
$Exe = Join-Path $env:ProgramFiles 'esr-doctor\esr-doctor.exe'

if (-not (Test-Path -LiteralPath $Exe)) {
    Write-Output "esr-doctor is not installed at $Exe; nothing was checked."
    exit 0
}

# stderr is dropped: Intune may count anything written there as a script error.
$output = & $Exe check --format intune 2>$null
$code = $LASTEXITCODE
$line = @($output) | Select-Object -Last 1
if (-not $line) { $line = "esr-doctor gave no result (exit code $code)." }
Write-Output $line

# 1 = something must be fixed. Anything else (0 pass or incomplete, 2 could not run) is not
# an issue a remediation could fix, so Intune is told the device is fine and shows the line.
if ($code -eq 1) { exit 1 } else { exit 0 }
