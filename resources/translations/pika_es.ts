<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>BackupTab</name>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="112"/>
        <source>Export this kiosk&apos;s data</source>
        <translation>Exportar los datos de este equipo</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="113"/>
        <location filename="../../app/ui/backup_tab.py" line="118"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="114"/>
        <source>Again</source>
        <translation>Repetirla</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="115"/>
        <source>Export to a folder or USB stick…</source>
        <translation>Exportar a una carpeta o memoria USB…</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="116"/>
        <source>Restore on a replacement PC (after enrolling it)</source>
        <translation>Restaurar en una computadora de reemplazo (después de registrarla)</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="117"/>
        <source>Choose an export…</source>
        <translation>Elegir una exportación…</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="119"/>
        <source>Restore</source>
        <translation>Restaurar</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="144"/>
        <source>Where to export</source>
        <translation>Dónde exportar</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="151"/>
        <source>The two passphrases are not the same.</source>
        <translation>Las dos frases no son iguales.</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="179"/>
        <source>Exported to {path}. Keep the passphrase apart from the stick.</source>
        <translation>Exportado a {path}. Guarde la frase lejos de la memoria USB.</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="189"/>
        <source>Choose an export</source>
        <translation>Elegir una exportación</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="204"/>
        <source>{device} · made {made} · {unsent} item(s) waiting to sync</source>
        <translation>{device} · hecha el {made} · {unsent} registro(s) esperando para enviarse</translation>
    </message>
    <message>
        <location filename="../../app/ui/backup_tab.py" line="245"/>
        <source>Restored: {unsent} item(s) will be sent as this kiosk. Pika Counter closes now; start it again.</source>
        <translation>Restaurado: {unsent} registro(s) se enviarán como este equipo. Pika Counter se cierra ahora; vuelva a abrirlo.</translation>
    </message>
</context>
<context>
    <name>CameraColumn</name>
    <message>
        <location filename="../../app/ui/camera_column.py" line="96"/>
        <source>The video used as the camera has ended: the picture is its last frame.</source>
        <extracomment>How often a missing or lost camera is looked for again. The video or folder in use as the camera, and how it plays (None: a webcam). Set once the window closed: a camera that fails to open afterwards is not retried.</extracomment>
        <translation>El video usado como cámara terminó: la imagen es su último cuadro.</translation>
    </message>
    <message>
        <location filename="../../app/ui/camera_column.py" line="98"/>
        <source>Play it again</source>
        <translation>Reproducir de nuevo</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="18"/>
        <source>The last day is before the first day.</source>
        <translation>El último día es anterior al primero.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="19"/>
        <source>The range is longer than three years: choose a shorter one.</source>
        <translation>El período dura más de tres años: elija uno más corto.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="22"/>
        <source>Choose an offer before choosing a variant.</source>
        <translation>Elija una oferta antes de elegir una variante.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="25"/>
        <source>That offer is not this business&apos;s.</source>
        <translation>Esa oferta no es de este negocio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="26"/>
        <source>Choose by day, week or month.</source>
        <translation>Elija por día, semana o mes.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="27"/>
        <source>That kiosk is not this business&apos;s.</source>
        <translation>Esa caja no es de este negocio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="28"/>
        <source>Head office does not know this business.</source>
        <translation>La oficina central no conoce este negocio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="29"/>
        <source>This key may not read these figures.</source>
        <translation>Esta clave no puede leer estas cifras.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="30"/>
        <source>Head office refused this invitation: unknown, already used or expired.</source>
        <translation>La oficina central rechazó esta invitación: desconocida, ya usada o vencida.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="33"/>
        <source>That is not an invitation code: check what was typed.</source>
        <translation>Eso no es un código de invitación: revise lo que escribió.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="36"/>
        <source>A kiosk&apos;s key cannot open the manager app.</source>
        <translation>La clave de una caja no abre la aplicación del encargado.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="47"/>
        <source>Head office refused the question ({code}).</source>
        <translation>La oficina central rechazó la consulta ({code}).</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="57"/>
        <source>Head office cannot be reached. Check the connection and try again.</source>
        <translation>No se puede llegar a la oficina central. Revise la conexión y vuelva a intentar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="61"/>
        <source>This computer&apos;s keyring did not keep the key: {error}</source>
        <translation>El llavero de esta computadora no guardó la clave: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="65"/>
        <source>Could not load the figures: {error}</source>
        <translation>No se pudieron cargar las cifras: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/texts.py" line="68"/>
        <source>Something went wrong: {error}</source>
        <translation>Algo salió mal: {error}</translation>
    </message>
</context>
<context>
    <name>DashboardWindow</name>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="189"/>
        <source>All businesses</source>
        <translation>Todos los negocios</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="193"/>
        <source>Pika manager — {who}</source>
        <translation>Pika encargado — {who}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="213"/>
        <source>Head office no longer accepts this key: sign in again.</source>
        <translation>La oficina central ya no acepta esta clave: vuelva a entrar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="219"/>
        <source>Head office cannot be reached and these figures were never loaded on this computer.</source>
        <translation>No se puede llegar a la oficina central y estas cifras nunca se cargaron en esta computadora.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="269"/>
        <source>Pick a business to see one kiosk&apos;s hours.</source>
        <translation>Elija un negocio para ver las horas de una caja.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="284"/>
        <source>{day} {hour}:00 — {count} redemptions</source>
        <translation>{day} {hour}:00 — {count} canjes</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="287"/>
        <source>Busiest hours: {hours}</source>
        <translation>Horas con más canjes: {hours}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="295"/>
        <source>Offline: one kiosk&apos;s hours need head office; every kiosk&apos;s are shown.</source>
        <translation>Sin conexión: las horas de una caja necesitan la central; se muestran las de todas las cajas.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="305"/>
        <source>Loading {kiosk}…</source>
        <translation>Cargando {kiosk}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="355"/>
        <source>Return is shown per business.</source>
        <translation>El retorno se muestra por negocio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="359"/>
        <source>Estimated return {estimated} · recorded return {recorded} (sale total typed for {typed} of {count} redemptions). Each figure is value minus discount and investment, over investment; — when nothing was paid.</source>
        <translation>Retorno estimado {estimated} · retorno registrado {recorded} (total de venta tipeado en {typed} de {count} canjes). Cada cifra es el valor menos el descuento y la inversión, sobre la inversión; — si no se pagó nada.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="372"/>
        <source>No offer prints more than one variant.</source>
        <translation>Ninguna oferta imprime más de una variante.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="377"/>
        <source>A result is given once every variant has the sample size fixed up front (copies per variant: {needed}).</source>
        <translation>Hay resultado cuando cada variante alcanza el tamaño de muestra fijado de antemano (ejemplares por variante: {needed}).</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="386"/>
        <source>Figures as of {when}</source>
        <translation>Cifras al {when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="395"/>
        <source>Saved {count} CSV files in {folder}</source>
        <translation>Se guardaron {count} archivos CSV en {folder}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="407"/>
        <source>Saved the report as {path}</source>
        <translation>Informe guardado en {path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="418"/>
        <source>Could not save: {error}</source>
        <translation>No se pudo guardar: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="421"/>
        <source>Folder for the CSV files</source>
        <translation>Carpeta para los archivos CSV</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="427"/>
        <source>Save the report</source>
        <translation>Guardar el informe</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="473"/>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="474"/>
        <source>Sig&amp;n out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="475"/>
        <source>Offline: figures kept on this computer</source>
        <translation>Sin conexión: cifras guardadas en esta computadora</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="478"/>
        <source>F&amp;unnel</source>
        <translation>&amp;Embudo</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="479"/>
        <source>&amp;Return</source>
        <translation>&amp;Retorno</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="480"/>
        <source>&amp;Hours</source>
        <translation>Hora&amp;s</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="481"/>
        <source>&amp;Kiosks</source>
        <translation>Ca&amp;jas</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="482"/>
        <source>&amp;A/B tests</source>
        <translation>Pruebas A/&amp;B</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="483"/>
        <source>Bus&amp;inesses</source>
        <translation>Ran&amp;king</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="487"/>
        <source>Kiosk sho&amp;wn:</source>
        <translation>Caja de&amp;l mapa:</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="487"/>
        <source>All kiosks</source>
        <translation>Todas las cajas</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="488"/>
        <source>Export &amp;CSV…</source>
        <translation>E&amp;xportar CSV…</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/window.py" line="489"/>
        <source>&amp;PDF report…</source>
        <translation>Informe &amp;PDF…</translation>
    </message>
</context>
<context>
    <name>EnrolmentDialog</name>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="122"/>
        <source>Enrol this kiosk</source>
        <extracomment>IT can preset the server for a whole roll-out (silent configuration).</extracomment>
        <translation>Registrar este equipo</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="125"/>
        <source>This kiosk is not enrolled yet. Scan the enrolment QR head office gave you with the USB scanner, or type its code.</source>
        <translation>Este equipo todavía no está registrado. Escanee con el lector USB el QR de registro que le dio la central, o escriba su código.</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="130"/>
        <source>Head office revoked this kiosk and its data was wiped on {when}.</source>
        <translation>La central dio de baja este equipo y sus datos fueron borrados el {when}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="135"/>
        <source>Enrolment code</source>
        <translation>Código de registro</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="136"/>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="137"/>
        <source>Name of this till</source>
        <translation>Nombre de esta caja</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="144"/>
        <source>Enrol</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="145"/>
        <source>Scan the QR with the camera</source>
        <translation>Escanear el QR con la cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="146"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="165"/>
        <source>Contacting head office…</source>
        <translation>Conectando con la central…</translation>
    </message>
    <message>
        <location filename="../../app/ui/enrolment_dialog.py" line="195"/>
        <source>Hold the enrolment QR code to the camera.</source>
        <translation>Acerque el código QR de registro a la cámara.</translation>
    </message>
</context>
<context>
    <name>ErrorKind</name>
    <message>
        <location filename="../../app/core/error_kinds.py" line="85"/>
        <source>No camera: type the code or use a USB scanner. Trying the camera again…</source>
        <extracomment>Each message says what happened in plain words and what to do next; never how.</extracomment>
        <translation>Sin cámara: escriba el código o use un lector USB. Se vuelve a probar la cámara…</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="89"/>
        <source>The video used as the camera cannot be played: type the code or use a USB scanner. The manager can choose another video in the settings.</source>
        <translation>No se puede reproducir el video usado como cámara: escriba el código o use un lector USB. El encargado puede elegir otro video en la configuración.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="94"/>
        <source>The kiosk&apos;s data is in use by another program: nothing was recorded. Close the other Pika Counter window and try again.</source>
        <translation>Otro programa está usando los datos del equipo: no se registró nada. Cierre la otra ventana de Pika Counter y vuelva a intentarlo.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="99"/>
        <source>The kiosk could not read or save its data (the disk may be full): nothing was recorded. Try again; if it happens again, call IT.</source>
        <translation>El equipo no pudo leer o guardar sus datos (el disco puede estar lleno): no se registró nada. Vuelva a intentarlo; si vuelve a pasar, llame a soporte técnico.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="104"/>
        <source>The kiosk&apos;s data cannot be opened. Call IT before scanning more vouchers.</source>
        <translation>No se pueden abrir los datos del equipo. Llame a soporte técnico antes de escanear más vouchers.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="108"/>
        <source>The computer&apos;s keyring could not be read. Call IT; the kiosk keeps working offline.</source>
        <translation>No se pudo leer el llavero de la computadora. Llame a soporte técnico; el equipo sigue funcionando sin conexión.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="112"/>
        <source>Head office cannot be reached. The kiosk keeps working and sends everything later.</source>
        <translation>No hay conexión con la central. El equipo sigue funcionando y envía todo más tarde.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="116"/>
        <source>Head office asked the kiosk to wait. It keeps working and sends everything later.</source>
        <translation>La central pidió al equipo que espere. Sigue funcionando y envía todo más tarde.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="120"/>
        <source>Head office does not accept this kiosk any more: enrol it again (ask head office for a code). It keeps working offline meanwhile.</source>
        <translation>La central ya no acepta este equipo: regístrelo de nuevo (pida un código a la central). Mientras tanto sigue funcionando sin conexión.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="125"/>
        <source>Head office revoked this kiosk.</source>
        <translation>La central dio de baja este equipo.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="129"/>
        <source>Head office refused the last sync. The kiosk keeps working; if this stays, call IT.</source>
        <translation>La central rechazó la última sincronización. El equipo sigue funcionando; si esto sigue, llame a soporte técnico.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="133"/>
        <source>This kiosk is not enrolled with head office: it works offline.</source>
        <translation>Este equipo no está registrado en la central: funciona sin conexión.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="137"/>
        <source>The voucher sheet could not be saved there. Choose another folder.</source>
        <translation>No se pudo guardar ahí la hoja de vouchers. Elija otra carpeta.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="141"/>
        <source>This is not an enrolment code, or it has a typing mistake: a code has 11 letters and digits (XXXXX-XXXXXX). Compare it with the one head office gave you.</source>
        <translation>No es un código de registro, o tiene un error de tipeo: un código tiene 11 letras y números (XXXXX-XXXXXX). Compárelo con el que le dio la central.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="146"/>
        <source>The server address must be written like https://pika.example.com.</source>
        <translation>La dirección del servidor se escribe así: https://pika.example.com.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="150"/>
        <source>The enrolment was refused: the code may be used or expired, or this kiosk still holds another enrolment&apos;s data. Ask head office for a new code; IT finds the details in the log.</source>
        <translation>El registro fue rechazado: el código puede estar usado o vencido, o este equipo todavía guarda los datos de otro registro. Pida un código nuevo a la central; soporte técnico encuentra los detalles en el registro de eventos.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="156"/>
        <source>Head office cannot be reached: check the server address and the network, then try again.</source>
        <translation>No hay conexión con la central: revise la dirección del servidor y la red, y vuelva a intentarlo.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="160"/>
        <source>No camera: scan the enrolment QR with the USB scanner, or type its code.</source>
        <translation>Sin cámara: escanee el QR de registro con el lector USB, o escriba su código.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="164"/>
        <source>The passphrase needs at least 10 characters: the export leaves the shop on a stick.</source>
        <translation>La frase necesita al menos 10 caracteres: la exportación sale del local en una memoria USB.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="168"/>
        <source>That passphrase does not open this export. Nothing was changed; try again.</source>
        <translation>Esa frase no abre esta exportación. No se cambió nada; vuelva a intentarlo.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="172"/>
        <source>The export is damaged or incomplete. Nothing was changed; use another copy.</source>
        <translation>La exportación está dañada o incompleta. No se cambió nada; use otra copia.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="176"/>
        <source>This file is not a Pika Counter export. Choose the .pikabackup file.</source>
        <translation>Este archivo no es una exportación de Pika Counter. Elija el archivo .pikabackup.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="180"/>
        <source>The export could not be written there (is the USB stick full or removed?). Nothing half-written was left; choose another folder.</source>
        <translation>No se pudo escribir la exportación ahí (¿la memoria USB está llena o se quitó?). No quedó nada a medio escribir; elija otra carpeta.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="185"/>
        <source>Restore only on a kiosk just enrolled for the same business that has not scanned anything yet. Nothing was changed.</source>
        <translation>Restaure solo en un equipo recién registrado para el mismo negocio que todavía no escaneó nada. No se cambió nada.</translation>
    </message>
    <message>
        <location filename="../../app/core/error_kinds.py" line="190"/>
        <source>Something went wrong. Try again; if it happens again, call IT.</source>
        <translation>Algo salió mal. Vuelva a intentarlo; si vuelve a pasar, llame a soporte técnico.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="276"/>
        <source>Pika Counter</source>
        <extracomment>(app.core.scanning.Scan, ScanOutcome) once a camera scan&apos;s result is on screen; the scan&apos;s ``captured_at`` gives the frame-to-screen latency (pika-bench scan-latency).</extracomment>
        <translation>Pika Counter</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="281"/>
        <source>DEMO MODE: demo vouchers, nothing is sent; manager PIN {pin}</source>
        <translation>MODO DEMO: vouchers de prueba, no se envía nada; PIN del encargado {pin}</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="287"/>
        <source>No system keyring: this demo uses a temporary key; data is lost on exit</source>
        <translation>Sin llavero del sistema: esta demo usa una clave temporal; los datos se pierden al salir</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="293"/>
        <source>Type the code under the QR, e.g. 7KQ2-M9XD-T</source>
        <translation>Escriba el código debajo del QR, p. ej. 7KQ2-M9XD-T</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="294"/>
        <source>Check</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="295"/>
        <source>Manager</source>
        <translation>Encargado</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="296"/>
        <source>Use a video as camera…</source>
        <translation>Usar un video como cámara…</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="298"/>
        <source>Print voucher sheet…</source>
        <translation>Imprimir hoja de vouchers…</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="358"/>
        <source>Waiting to sync: {count}</source>
        <translation>Pendientes de sincronizar: {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="385"/>
        <source>Demo · offline</source>
        <translation>Demo · sin conexión</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="387"/>
        <source>Offline · not enrolled for sync</source>
        <translation>Sin conexión · no registrado para sincronizar</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="389"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="391"/>
        <source>Online</source>
        <translation>En línea</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="393"/>
        <source>Waiting to send · working normally</source>
        <translation>Esperando para enviar · funciona normalmente</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="395"/>
        <source>Not authorised: enrol again</source>
        <translation>No autorizado: registre de nuevo</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="397"/>
        <source>Offline · working normally</source>
        <translation>Sin conexión · funciona normalmente</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="378"/>
        <source>clock off by {minutes} min</source>
        <translation>reloj desfasado {minutes} min</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="404"/>
        <source>This kiosk was revoked</source>
        <translation>Este equipo fue dado de baja</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="457"/>
        <source>Same code again within {seconds} s: it was checked once, the result is above. To check it again, wait a moment and scan it again.</source>
        <translation>El mismo código otra vez en menos de {seconds} s: se verificó una sola vez, el resultado está arriba. Para verificarlo de nuevo, espere un momento y vuelva a escanearlo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="512"/>
        <source>Video to use as camera</source>
        <translation>Video para usar como cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="512"/>
        <source>Videos (*.mp4 *.avi *.mkv)</source>
        <translation>Videos (*.mp4 *.avi *.mkv)</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="519"/>
        <source>Save voucher sheet</source>
        <translation>Guardar hoja de vouchers</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="519"/>
        <source>PDF (*.pdf);;PNG (*.png)</source>
        <translation>PDF (*.pdf);;PNG (*.png)</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="537"/>
        <source>Voucher sheet saved: {files}</source>
        <translation>Hoja de vouchers guardada: {files}</translation>
    </message>
</context>
<context>
    <name>ManagerView</name>
    <message>
        <location filename="../../app/ui/manager_view.py" line="66"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="67"/>
        <source>Scanner</source>
        <translation>Lector</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="68"/>
        <source>Typed</source>
        <translation>Digitado</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="248"/>
        <source>Manager</source>
        <translation>Encargado</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="249"/>
        <source>Scans</source>
        <translation>Escaneos</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="250"/>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="253"/>
        <source>Today / this week</source>
        <translation>Hoy / esta semana</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="254"/>
        <source>Backup</source>
        <translation>Copia de seguridad</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="255"/>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="258"/>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="259"/>
        <source>How</source>
        <translation>Medio</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="260"/>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="261"/>
        <source>Offer</source>
        <translation>Oferta</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="262"/>
        <source>Serial</source>
        <translation>Serie</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="252"/>
        <location filename="../../app/ui/manager_view.py" line="263"/>
        <source>Sync</source>
        <translation>Sincronización</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="267"/>
        <source>Change PIN…</source>
        <translation>Cambiar PIN…</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="268"/>
        <source>Exit kiosk</source>
        <translation>Salir del modo kiosco</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="269"/>
        <source>Back to the counter</source>
        <translation>Volver a la caja</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="314"/>
        <source>Today: {counts}</source>
        <translation>Hoy: {counts}</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="316"/>
        <source>Today: no scans yet</source>
        <translation>Hoy: todavía no hay escaneos</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="322"/>
        <source>{result} (voided)</source>
        <translation>{result} (canje anulado)</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="339"/>
        <source>Void…</source>
        <translation>Anular…</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="380"/>
        <source>Redemption voided. The voucher can be used again.</source>
        <translation>Canje anulado. El voucher se puede volver a usar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="386"/>
        <source>A void needs a reason.</source>
        <translation>Para anular un canje debe indicar el motivo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="388"/>
        <source>This redemption was already voided.</source>
        <translation>Este canje ya fue anulado.</translation>
    </message>
    <message>
        <location filename="../../app/ui/manager_view.py" line="410"/>
        <source>Manager PIN changed.</source>
        <translation>PIN del encargado cambiado.</translation>
    </message>
</context>
<context>
    <name>Pickers</name>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="129"/>
        <location filename="../../app/ui/dashboard/pickers.py" line="141"/>
        <location filename="../../app/ui/dashboard/pickers.py" line="233"/>
        <source>All businesses</source>
        <translation>Todos los negocios</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="151"/>
        <location filename="../../app/ui/dashboard/pickers.py" line="235"/>
        <source>All offers</source>
        <translation>Todas las ofertas</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="166"/>
        <location filename="../../app/ui/dashboard/pickers.py" line="237"/>
        <source>All variants</source>
        <translation>Todas las variantes</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="207"/>
        <source>&amp;Business</source>
        <translation>&amp;Negocio</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="208"/>
        <source>&amp;Offer</source>
        <translation>&amp;Oferta</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="209"/>
        <source>&amp;Variant</source>
        <translation>&amp;Variante</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="210"/>
        <source>&amp;From</source>
        <translation>&amp;Desde</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="211"/>
        <source>&amp;To</source>
        <translation>&amp;Hasta</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="212"/>
        <source>&amp;Group by</source>
        <translation>A&amp;grupar por</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="213"/>
        <source>&amp;Show figures</source>
        <translation>&amp;Mostrar cifras</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="215"/>
        <source>This &amp;month</source>
        <translation>Es&amp;te mes</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="216"/>
        <source>Last &amp;30 days</source>
        <translation>Últimos &amp;30 días</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="217"/>
        <source>This &amp;year</source>
        <translation>Este &amp;año</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="225"/>
        <source>month</source>
        <translation>mes</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="226"/>
        <source>week</source>
        <translation>semana</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/pickers.py" line="227"/>
        <source>day</source>
        <translation>día</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="174"/>
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="177"/>
        <source>Delete the last digit</source>
        <translation>Borrar el último dígito</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="178"/>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="179"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="180"/>
        <source>Demo PIN: {pin}</source>
        <translation>PIN de la demo: {pin}</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="192"/>
        <source>Enter the current manager PIN</source>
        <translation>Ingrese el PIN actual del encargado</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="193"/>
        <source>Enter the manager PIN</source>
        <translation>Ingrese el PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="195"/>
        <source>Choose a new manager PIN ({low} to {high} digits)</source>
        <translation>Elija un nuevo PIN del encargado (de {low} a {high} dígitos)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="198"/>
        <source>Enter the new PIN again</source>
        <translation>Ingrese de nuevo el PIN nuevo</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="238"/>
        <source>The two PINs are different. Choose the new PIN again.</source>
        <translation>Los dos PIN no coinciden. Elija de nuevo el PIN nuevo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="265"/>
        <source>Wrong PIN. {count} tries left.</source>
        <translation>PIN incorrecto. Le quedan {count} intentos.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="274"/>
        <source>No manager PIN yet: choose one now.</source>
        <translation>Todavía no hay PIN del encargado: elija uno ahora.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="278"/>
        <source>A manager PIN is already set.</source>
        <translation>Ya hay un PIN del encargado.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="282"/>
        <source>A PIN has {low} to {high} digits.</source>
        <translation>Un PIN tiene de {low} a {high} dígitos.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="287"/>
        <source>The stored PIN is damaged. Call IT to reset it.</source>
        <translation>El PIN guardado está dañado. Llame a soporte técnico para restablecerlo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pin_dialog.py" line="332"/>
        <source>Too many wrong PINs. Try again in {seconds} s.</source>
        <translation>Demasiados PIN incorrectos. Intente de nuevo en {seconds} s.</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <location filename="../../app/ui/texts.py" line="27"/>
        <source>Valid voucher</source>
        <translation>Voucher válido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="22"/>
        <location filename="../../app/ui/texts.py" line="28"/>
        <source>Already used</source>
        <translation>Ya fue usado</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="21"/>
        <source>Valid</source>
        <translation>Válido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="23"/>
        <source>Refused</source>
        <translation>Rechazado</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="29"/>
        <source>Expired</source>
        <translation>Vencido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="30"/>
        <source>Not valid yet</source>
        <translation>Todavía no es válido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="31"/>
        <source>Voucher of another business</source>
        <translation>Voucher de otro comercio</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="32"/>
        <source>Voucher cancelled</source>
        <translation>Voucher anulado</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="33"/>
        <source>Voucher not recognised</source>
        <translation>Voucher no reconocido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="34"/>
        <source>Fake voucher</source>
        <translation>Voucher falso</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="35"/>
        <source>Cannot read this code</source>
        <translation>No se puede leer este código</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="39"/>
        <source>Give the discount.</source>
        <translation>Aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="40"/>
        <source>A voucher gives its discount once.</source>
        <translation>Un voucher da su descuento una sola vez.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="41"/>
        <source>Its validity has ended.</source>
        <translation>Su vigencia terminó.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="42"/>
        <source>It cannot be used yet.</source>
        <translation>Todavía no se puede usar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="43"/>
        <source>It is for another shop.</source>
        <translation>Es para otro comercio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="44"/>
        <source>Head office cancelled it.</source>
        <translation>La central lo anuló.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="45"/>
        <source>Sync this kiosk, then scan it again: it may be valid then.</source>
        <translation>Sincronice este equipo y vuelva a escanearlo: puede que entonces sea válido.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="48"/>
        <source>The code was altered.</source>
        <translation>El código fue alterado.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="49"/>
        <source>Try again or type the code printed under the QR.</source>
        <translation>Intente de nuevo o escriba el código impreso debajo del QR.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="57"/>
        <source>A code has 9 letters and digits, like 7KQ2-M9XD-T: one is missing or one too many. Compare it with the voucher.</source>
        <extracomment>After a typed code was refused, what to look for: never just &quot;type it again&quot;.</extracomment>
        <translation>Un código tiene 9 letras y números, como 7KQ2-M9XD-T: falta uno o sobra uno. Compárelo con el voucher.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="62"/>
        <source>The code has a character vouchers never use (such as Ñ or an accented letter). Compare it with the voucher.</source>
        <translation>El código tiene un carácter que los vouchers nunca usan (como Ñ o una letra con tilde). Compárelo con el voucher.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="67"/>
        <source>One character is wrong: the last character of the code is a check that caught it. Compare the code with the voucher, character by character, or scan its QR.</source>
        <translation>Hay un carácter equivocado: el último carácter del código es de control y lo detectó. Compare el código con el voucher, carácter por carácter, o escanee su QR.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="72"/>
        <source>The code is well formed but no voucher of this shop has it. Check that the voucher is for this shop, or scan its QR.</source>
        <translation>El código está bien escrito, pero ningún voucher de este comercio lo tiene. Verifique que el voucher sea de este comercio, o escanee su QR.</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../app/ui/result_panel.py" line="129"/>
        <source>Ready to scan</source>
        <translation>Listo para escanear</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="131"/>
        <source>Show the voucher&apos;s QR to the camera</source>
        <translation>Muestre el QR del voucher a la cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="132"/>
        <source>or type the code printed under it</source>
        <translation>o escriba el código impreso debajo</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="134"/>
        <source>Type the code printed under the QR</source>
        <translation>Escriba el código impreso debajo del QR</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="135"/>
        <source>or scan it with a USB scanner</source>
        <translation>o léalo con un lector USB</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="148"/>
        <source>Do not apply the discount</source>
        <translation>No aplique el descuento</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="214"/>
        <source>Used on {when} at {where}</source>
        <translation>Usado el {when} en {where}</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="229"/>
        <source>Scan {number}</source>
        <translation>Lectura {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="232"/>
        <source>serial {serial}</source>
        <translation>serie {serial}</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="236"/>
        <source>Recorded on this kiosk · waiting to sync</source>
        <translation>Registrado en este equipo · pendiente de sincronizar</translation>
    </message>
</context>
<context>
    <name>SaleTotalPrompt</name>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="199"/>
        <source>Sale total saved: {amount}</source>
        <translation>Total de la venta guardado: {amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="201"/>
        <source>Too late: the redemption already went without a total.</source>
        <translation>Demasiado tarde: el canje ya se envió sin total.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="281"/>
        <source>Sale total (optional):</source>
        <translation>Total de la venta (opcional):</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="282"/>
        <source>e.g. 150.000</source>
        <translation>p. ej. 150.000</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="283"/>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="284"/>
        <source>Skip</source>
        <translation>Omitir</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="292"/>
        <source>Enter: save · Esc: skip · closes by itself in {seconds} s</source>
        <translation>Enter: guardar · Esc: omitir · se cierra sola en {seconds} s</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="296"/>
        <source>Serial {serial}</source>
        <translation>Serie {serial}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="318"/>
        <source>A total cannot be negative. Type the sale&apos;s total, e.g. 150.000.</source>
        <translation>Un total no puede ser negativo. Escriba el total de la venta, p. ej. 150.000.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="320"/>
        <source>A total of zero is no sale. Type the total, or press Esc to skip.</source>
        <translation>Un total de cero no es una venta. Escriba el total o pulse Esc para omitirlo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="323"/>
        <source>Guaraníes have no cents: type whole guaraníes, e.g. 150000 or 150.000.</source>
        <translation>Los guaraníes no tienen céntimos: escriba guaraníes enteros, p. ej. 150000 o 150.000.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="327"/>
        <source>That figure is too large to be a sale. Check it, or press Esc to skip.</source>
        <translation>Ese monto es demasiado grande para una venta. Revíselo o pulse Esc para omitirlo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="331"/>
        <source>{amount} is over {times} times this shop&apos;s usual sale ({usual}). Check it, or press Esc.</source>
        <translation>{amount} supera {times} veces la venta habitual del local ({usual}). Revíselo o pulse Esc.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sale_total_prompt.py" line="340"/>
        <source>“{typed}” is not an amount. Type the total in guaraníes, e.g. 150.000.</source>
        <translation>«{typed}» no es un monto. Escriba el total en guaraníes, p. ej. 150.000.</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="173"/>
        <source>Look for cameras again</source>
        <extracomment>Languages are named in their own language, so anyone can find theirs. The settings form&apos;s rows, by the setting each one edits (None: no setting of its own).</extracomment>
        <translation>Buscar cámaras de nuevo</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="174"/>
        <source>Use a video file…</source>
        <translation>Usar un archivo de video…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="175"/>
        <source>Use an image folder…</source>
        <translation>Usar una carpeta de imágenes…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="176"/>
        <source>Show the camera picture mirrored</source>
        <translation>Mostrar la imagen de la cámara en espejo</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="177"/>
        <source>Play a sound for each result</source>
        <translation>Reproducir un sonido con cada resultado</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="178"/>
        <source>Save settings</source>
        <translation>Guardar configuración</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="180"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="181"/>
        <source>Or instead of a camera</source>
        <translation>O en lugar de una cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="182"/>
        <source>Resolution</source>
        <translation>Resolución</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="183"/>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="184"/>
        <source>Sounds</source>
        <translation>Sonidos</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="185"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="186"/>
        <source>Same voucher counts once within</source>
        <translation>El mismo voucher cuenta una sola vez dentro de</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="187"/>
        <source>Show each result for</source>
        <translation>Mostrar cada resultado durante</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="188"/>
        <source>Cashier may undo for</source>
        <translation>El cajero puede deshacer durante</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="260"/>
        <source>Camera {index} ({width}x{height})</source>
        <translation>Cámara {index} ({width}x{height})</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="264"/>
        <source>Camera {index} (looking…)</source>
        <translation>Cámara {index} (buscando…)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="266"/>
        <source>Camera {index} (not found)</source>
        <translation>Cámara {index} (no encontrada)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="267"/>
        <source>File: {path}</source>
        <translation>Archivo: {path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="271"/>
        <source>Video to use as camera</source>
        <translation>Video para usar como cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="271"/>
        <source>Videos (*.mp4 *.avi *.mkv)</source>
        <translation>Videos (*.mp4 *.avi *.mkv)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="277"/>
        <source>Folder of images to use as camera</source>
        <translation>Carpeta de imágenes para usar como cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="309"/>
        <source>Settings saved.</source>
        <translation>Configuración guardada.</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="322"/>
        <source>Write the resolution as width x height, e.g. 1280x720.</source>
        <translation>Escriba la resolución como ancho x alto, p. ej. 1280x720.</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="324"/>
        <source>Choose a camera, or a video file or folder with its full path.</source>
        <translation>Elija una cámara, o un archivo de video o una carpeta con su ruta completa.</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="328"/>
        <source>These settings cannot be saved: check them and try again.</source>
        <translation>No se puede guardar esta configuración: revísela y vuelva a intentarlo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_tab.py" line="329"/>
        <source>“{setting}” cannot take this value: choose another.</source>
        <translation>«{setting}» no admite este valor: elija otro.</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="93"/>
        <source>Type the admin token.</source>
        <translation>Escriba el token de administración.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="95"/>
        <source>Type or scan the invitation.</source>
        <translation>Escriba o escanee la invitación.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="114"/>
        <source>Type head office&apos;s address (https://…).</source>
        <translation>Escriba la dirección de la oficina central (https://…).</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="125"/>
        <source>Sign in to Pika</source>
        <translation>Entrar a Pika</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="131"/>
        <source>Head office signs in with its admin token.</source>
        <translation>La oficina central entra con su token de administración.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="132"/>
        <source>Admin &amp;token</source>
        <translation>Token de &amp;administración</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="136"/>
        <source>Scan the invitation&apos;s QR code with a scanner, or type its code. Head office gives one invitation per manager; it works once.</source>
        <translation>Escanee el código QR de la invitación con un lector, o escriba su código. La oficina central da una invitación por encargado; sirve una sola vez.</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="140"/>
        <source>&amp;Invitation</source>
        <translation>&amp;Invitación</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="141"/>
        <source>&amp;Server</source>
        <translation>&amp;Servidor</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="143"/>
        <source>I am &amp;head office (admin token)</source>
        <translation>Soy de la &amp;oficina central (token de administración)</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="144"/>
        <source>Sign i&amp;n</source>
        <translation>&amp;Entrar</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard/sign_in_dialog.py" line="145"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>StartupError</name>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="29"/>
        <source>Pika Counter cannot start</source>
        <translation>Pika Counter no puede iniciar</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="32"/>
        <source>There is no usable keyring on this computer.</source>
        <translation>No hay ningún llavero del sistema que se pueda usar en este equipo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="44"/>
        <source>The keyring did not keep the key it was given.</source>
        <translation>El llavero del sistema no conservó la clave que se le dio.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="49"/>
        <source>Pika Counter keeps the key of its encrypted data in the operating system&apos;s keyring. On Linux install and unlock gnome-keyring or KWallet (for example apt-get install gnome-keyring, then log in to a desktop session that unlocks it); on Windows the Credential Manager and on macOS the Keychain must be reachable for the user running the kiosk. To try the kiosk without a keyring, start it in demo mode (pika-kiosk --demo): it keeps nothing.</source>
        <translation>Pika Counter guarda la clave de sus datos cifrados en el llavero del sistema operativo. En Linux instale y desbloquee gnome-keyring o KWallet (por ejemplo apt-get install gnome-keyring y luego inicie una sesión de escritorio que lo desbloquee); en Windows el Administrador de credenciales y en macOS el Llavero deben estar disponibles para el usuario que ejecuta el quiosco. Para probar el quiosco sin llavero, inícielo en modo demo (pika-kiosk --demo): no guarda nada.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="59"/>
        <source>The key in the keyring does not open the kiosk data {path}. The file was left untouched. Restore the keyring entry it was made with, or move the file away to start empty (its redemptions not yet sent would be lost).</source>
        <translation>La clave del llavero no abre los datos del quiosco {path}. El archivo no se modificó. Restaure la entrada del llavero con la que se creó, o mueva el archivo a otro lugar para empezar de cero (se perderían los canjes aún no enviados).</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="35"/>
        <source>The only keyring here keeps secrets in a clear-text file, so it is not used. Uninstall keyrings.alt or set PYTHON_KEYRING_BACKEND to a real keyring.</source>
        <translation>El único llavero disponible guarda los secretos en un archivo sin cifrar, así que no se usa. Desinstale keyrings.alt o indique un llavero real en PYTHON_KEYRING_BACKEND.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="40"/>
        <source>The keyring could not be read.</source>
        <translation>No se pudo leer el llavero del sistema.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="41"/>
        <source>The keyring refused to keep the key.</source>
        <translation>El llavero del sistema no aceptó guardar la clave.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="65"/>
        <source>The kiosk data {path} is damaged or is not Pika Counter data. The file was left untouched: restore it from a backup or move it away to start empty.</source>
        <translation>Los datos del quiosco {path} están dañados o no son datos de Pika Counter. El archivo no se modificó: restáurelo desde una copia de seguridad o muévalo a otro lugar para empezar de cero.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="70"/>
        <source>The kiosk data {path} was written by a newer version of Pika Counter. Install that version again; the file was left untouched.</source>
        <translation>Los datos del quiosco {path} los escribió una versión más nueva de Pika Counter. Vuelva a instalar esa versión; el archivo no se modificó.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="75"/>
        <source>The kiosk data {path} exists but the keyring has no key for it (the keyring was reset, or the file was copied from another computer or user). The file was left untouched: restore the keyring, or move the file away to start empty.</source>
        <translation>Los datos del quiosco {path} existen, pero el llavero no tiene su clave (se reinició el llavero, o el archivo se copió de otro equipo o usuario). El archivo no se modificó: restaure el llavero o mueva el archivo a otro lugar para empezar de cero.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="81"/>
        <source>The keyring has a key for the kiosk data {path}, but the file is missing (moved, deleted, or on a drive that is not mounted). Put the file back.</source>
        <translation>El llavero tiene una clave para los datos del quiosco {path}, pero el archivo no está (se movió, se borró o está en una unidad no conectada). Vuelva a poner el archivo en su lugar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="86"/>
        <source>The kiosk data is in use by another program (is Pika Counter already open?). Close it and start again.</source>
        <translation>Otro programa está usando los datos del quiosco (¿ya está abierto Pika Counter?). Ciérrelo y vuelva a iniciar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/startup_errors.py" line="91"/>
        <source>The kiosk data could not be opened. Start the kiosk again; if it happens again, call IT (the details are in the kiosk&apos;s log).</source>
        <translation>No se pudieron abrir los datos del quiosco. Vuelva a iniciar el quiosco; si vuelve a pasar, llame a soporte técnico (los detalles están en el registro del quiosco).</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="63"/>
        <source>Last complete sync: {when}</source>
        <translation>Última sincronización completa: {when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="64"/>
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="67"/>
        <source>Waiting to sync: {count}</source>
        <translation>Pendientes de sincronizar: {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="70"/>
        <source>Flagged by head office in the last sync: {count} (see Scans)</source>
        <translation>Marcados por la central en la última sincronización: {count} (ver Escaneos)</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="77"/>
        <source>This kiosk&apos;s clock differs from head office by {seconds} s{warning}</source>
        <translation>El reloj de este equipo difiere del de la central en {seconds} s{warning}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="80"/>
        <source>: set the clock!</source>
        <translation>: ¡ajuste el reloj!</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="86"/>
        <source>Last problem: {error}</source>
        <translation>Último problema: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="88"/>
        <source>Syncing…</source>
        <translation>Sincronizando…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="88"/>
        <source>Sync now</source>
        <translation>Sincronizar ahora</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="93"/>
        <source>{count} redemptions set aside: head office fails on them. They are kept on this kiosk, do not hold up the others, and are tried again once a day.</source>
        <translation>{count} canjes apartados: la oficina central falla con ellos. Se guardan en este quiosco, no frenan a los demás y se reintentan una vez al día.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="97"/>
        <source>Try the set-aside redemptions again</source>
        <translation>Reintentar los canjes apartados</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="103"/>
        <source>Connection: online, waiting to send (head office takes no more for now: this business is over its plan&apos;s limit); sending again at {when}</source>
        <translation>Conexión: en línea, esperando para enviar (la oficina central no recibe más por ahora: este negocio superó el límite de su plan); vuelve a enviar a las {when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="107"/>
        <source>Connection: not tried yet</source>
        <translation>Conexión: todavía sin intentar</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="108"/>
        <source>Connection: online</source>
        <translation>Conexión: en línea</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="109"/>
        <source>Connection: offline (the kiosk keeps working)</source>
        <translation>Conexión: sin conexión (el equipo sigue funcionando)</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="110"/>
        <source>Connection: refused, enrol this kiosk again</source>
        <translation>Conexión: rechazada, registre este equipo de nuevo</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_panel.py" line="111"/>
        <source>Connection: this kiosk was revoked</source>
        <translation>Conexión: este equipo fue dado de baja</translation>
    </message>
</context>
<context>
    <name>SyncResult</name>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="30"/>
        <source>Set aside: head office fails on it (tried again daily)</source>
        <translation>Apartado: la oficina central falla con él (se reintenta cada día)</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="29"/>
        <source>Waiting</source>
        <extracomment>The context the labels are translated in (the UI and the .ts file use it).</extracomment>
        <translation>Pendiente</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="33"/>
        <source>Synced</source>
        <translation>Sincronizado</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="34"/>
        <source>CONFLICT: redeemed at another kiosk first</source>
        <translation>CONFLICTO: canjeado antes en otro equipo</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="38"/>
        <source>Rejected by head office: {reason}</source>
        <extracomment>Outcomes whose words need a reason: ``{reason}`` is the reason&apos;s own (translated) label.</extracomment>
        <translation>Rechazado por la central: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="39"/>
        <source>Refused by head office: {reason}</source>
        <translation>No aceptado por la central: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="40"/>
        <source>Could not be sent: {reason}</source>
        <translation>No se pudo enviar: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="45"/>
        <source>valid voucher</source>
        <extracomment>Why head office rejected an item: its own validation reason or a push problem.</extracomment>
        <translation>voucher válido</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="46"/>
        <source>voucher already used</source>
        <translation>voucher ya usado</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="47"/>
        <source>voucher expired</source>
        <translation>voucher vencido</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="48"/>
        <source>voucher not valid yet</source>
        <translation>voucher todavía no válido</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="49"/>
        <source>voucher of another business</source>
        <translation>voucher de otro comercio</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="50"/>
        <source>voucher cancelled by head office</source>
        <translation>voucher anulado por la central</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="51"/>
        <source>voucher not recognised</source>
        <translation>voucher no reconocido</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="52"/>
        <source>fake voucher</source>
        <translation>voucher falso</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="53"/>
        <source>unreadable code</source>
        <translation>código ilegible</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="54"/>
        <source>sent in the name of another kiosk or business</source>
        <translation>enviado a nombre de otro equipo o comercio</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="57"/>
        <source>the scan does not match its voucher</source>
        <translation>el escaneo no coincide con su voucher</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="60"/>
        <source>head office has no such redemption</source>
        <translation>la central no tiene ese canje</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="63"/>
        <source>the redemption was made at another kiosk</source>
        <translation>el canje se hizo en otro equipo</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="66"/>
        <source>the scan was not a redemption</source>
        <translation>el escaneo no era un canje</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="67"/>
        <source>already voided</source>
        <translation>ya estaba anulado</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="72"/>
        <source>its data was not accepted</source>
        <extracomment>Why head office refused an item outright (the error code of its 4xx answer).</extracomment>
        <translation>sus datos no fueron aceptados</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="73"/>
        <source>its data could not be read</source>
        <translation>sus datos no se pudieron leer</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="74"/>
        <location filename="../../app/core/sync/result_labels.py" line="75"/>
        <source>too large to send</source>
        <translation>demasiado grande para enviar</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="78"/>
        <source>reason not known to this kiosk</source>
        <extracomment>A reason or refusal code this kiosk has no words for (a newer head office may add some).</extracomment>
        <translation>motivo desconocido para este equipo</translation>
    </message>
    <message>
        <location filename="../../app/core/sync/result_labels.py" line="80"/>
        <source>damaged in this kiosk&apos;s queue</source>
        <extracomment>A queue item damaged on this kiosk: its problem text is technical, so it is not shown.</extracomment>
        <translation>dañado en la cola de este equipo</translation>
    </message>
</context>
<context>
    <name>SyncWorker</name>
    <message>
        <location filename="../../app/ui/sync_worker.py" line="142"/>
        <source>Head office revoked this kiosk. Its local data was wiped; ask head office for a new enrolment code.</source>
        <extracomment>Set on the sync thread once a revoked kiosk was wiped (True) or wiping failed (False); worded and emitted on the GUI thread, in the screen&apos;s language.</extracomment>
        <translation>La central dio de baja este equipo. Sus datos locales fueron borrados; pida a la central un código de registro nuevo.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_worker.py" line="146"/>
        <source>Head office revoked this kiosk, but its local data could not be wiped. Call IT before using this computer again.</source>
        <translation>La central dio de baja este equipo, pero sus datos locales no se pudieron borrar. Llame a soporte técnico antes de volver a usar esta computadora.</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="120"/>
        <source>Undo last redemption ({seconds} s)</source>
        <extracomment>How long a note (&quot;Redemption undone&quot;, &quot;Too late…&quot;) stays before the bar hides.</extracomment>
        <translation>Deshacer el último canje ({seconds} s)</translation>
    </message>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="153"/>
        <source>Redemption undone: the voucher can be used again.</source>
        <translation>Canje deshecho: el voucher se puede volver a usar.</translation>
    </message>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="160"/>
        <source>Too late to undo. Ask the manager to void it.</source>
        <translation>Ya no se puede deshacer. Pida al encargado que lo anule.</translation>
    </message>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="162"/>
        <source>Only the last redemption can be undone. Ask the manager.</source>
        <translation>Solo se puede deshacer el último canje. Consulte al encargado.</translation>
    </message>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="164"/>
        <source>Already undone.</source>
        <translation>Ya fue deshecho.</translation>
    </message>
    <message>
        <location filename="../../app/ui/undo_bar.py" line="168"/>
        <location filename="../../app/ui/undo_bar.py" line="171"/>
        <source>Could not undo. Ask the manager.</source>
        <translation>No se pudo deshacer. Consulte al encargado.</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="22"/>
        <source>Scanned by mistake</source>
        <extracomment>Reasons a manager often gives; any other text may be typed.</extracomment>
        <translation>Escaneado por error</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="23"/>
        <source>The customer did not get the discount</source>
        <translation>El cliente no recibió el descuento</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="24"/>
        <source>Wrong voucher scanned</source>
        <translation>Se escaneó el voucher equivocado</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="92"/>
        <source>Void redemption</source>
        <translation>Anular canje</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="95"/>
        <source>Void the redemption of {offer} (serial {serial}) made {when}? The voucher can then be used again. The void is recorded and sent to head office.</source>
        <translation>¿Anular el canje de {offer} (serie {serial}) hecho el {when}? Después el voucher se podrá volver a usar. La anulación queda registrada y se envía a la central.</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="103"/>
        <source>Why is it voided?</source>
        <translation>¿Por qué se anula?</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="110"/>
        <source>Void</source>
        <translation>Anular</translation>
    </message>
    <message>
        <location filename="../../app/ui/void_dialog.py" line="112"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>WeekTab</name>
    <message>
        <location filename="../../app/ui/week_tab.py" line="108"/>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="111"/>
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="112"/>
        <source>Redemptions</source>
        <translation>Canjes</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="113"/>
        <source>Sale totals typed</source>
        <translation>Totales de venta anotados</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="114"/>
        <source>Refused</source>
        <translation>Rechazados</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="115"/>
        <source>Refused because</source>
        <translation>Motivos de rechazo</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="128"/>
        <source>{redemptions} redemptions · sale totals typed: {total} ({typed} of {redemptions}) · {refused} refused</source>
        <translation>{redemptions} canjes · totales de venta anotados: {total} ({typed} de {redemptions}) · {refused} rechazados</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="140"/>
        <source>Reading this counter&apos;s figures…</source>
        <translation>Leyendo las cifras de esta caja…</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="145"/>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="148"/>
        <source>This week</source>
        <translation>Esta semana</translation>
    </message>
    <message>
        <location filename="../../app/ui/week_tab.py" line="157"/>
        <source>{day} (today)</source>
        <translation>{day} (hoy)</translation>
    </message>
</context>
</TS>
