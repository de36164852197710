#pragma once

#include "mpf-flash-env.h"

G_BEGIN_DECLS

/* The real network: one wired interface, MpfNetconfig for the temporary
 * address (NetworkManager, else the helper over rtnetlink), MpfDiscovery,
 * and mprflash-helper (started on first need) for the recovery service. */
#define MPF_TYPE_FLASH_ENV_REAL (mpf_flash_env_real_get_type ())
G_DECLARE_FINAL_TYPE (MpfFlashEnvReal, mpf_flash_env_real, MPF, FLASH_ENV_REAL, GObject)

MpfFlashEnv *mpf_flash_env_real_new (void);

/* The session's packet capture (a pcap file) for the diagnostics report:
 * the helper records from its start, and restore fetches the record before
 * closing it (every helper of this environment, one after the other).
 * NULL when there is none; then @why_none (nullable) gets why, in English
 * for the report ("the helper did not run", ...). */
GBytes      *mpf_flash_env_real_dup_capture (MpfFlashEnvReal *self,
                                             const char     **why_none);

G_END_DECLS
